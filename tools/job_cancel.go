package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// JobCancelArgs are the job_cancel tool's arguments.
type JobCancelArgs struct {
	JobID string `json:"job_id" jsonschema:"description=The job_id to cancel\\, as crawl returned it."`
}

// JobCancelResult is the job_cancel tool's structured result.
type JobCancelResult struct {
	ErrorFields
	JobID          string   `json:"job_id"`
	Status         string   `json:"status"`
	Cancelled      bool     `json:"cancelled" jsonschema:"description=True when the job is now stopped (or had already finished)."`
	PagesCompleted int      `json:"pages_completed"`
	Cost           *CostOut `json:"cost,omitempty"`
	Message        string   `json:"message"`
}

func jobCancelTool(d *Deps) Tool {
	return define[JobCancelArgs, JobCancelResult](d, "job_cancel", "Cancel a running job",
		`Stop a running crawl (or other job) so it spends no more credits. Pages fetched before the cancel stay readable with job_status.
Cancelling a job that already finished is harmless. Where the provider has no cancel endpoint (Anakin), the result says so: the job then finishes on its own.`,
		annotations{destructive: false, idempotent: true, openWorld: true, mutating: true},
		func(ctx context.Context, req mcp.CallToolRequest, a JobCancelArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			ref, err := d.jobRef(a.JobID)
			if err != nil {
				return failure(err), nil
			}
			ctx, cancel := withDefaultTimeout(ctx, time.Minute)
			defer cancel()
			j, jerr := d.Provider.CancelJob(ctx, ref)
			if jerr != nil {
				return failure(client.AsError(p, jerr)), nil
			}
			res := JobCancelResult{JobID: ref.String(), Status: string(j.State), Cancelled: j.State.Terminal(),
				PagesCompleted: max(j.Completed, len(j.Pages)), Cost: costOut(j.Cost)}
			if res.Cancelled {
				res.Message = fmt.Sprintf("Job %s is stopped (%s); %d pages were fetched and stay readable with job_status.", res.JobID, res.Status, res.PagesCompleted)
			} else {
				res.Message = fmt.Sprintf("Cancellation of %s was requested; it is %s now. Check job_status to see it stop.", res.JobID, res.Status)
			}
			return success(res, res.Message, res.Cost), nil
		})
}
