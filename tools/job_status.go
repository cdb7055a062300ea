package tools

import (
	"context"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

// JobStatusArgs are the job_status tool's arguments.
type JobStatusArgs struct {
	JobID     string `json:"job_id" jsonschema:"description=The job_id a crawl (or a timed-out scrape/batch) returned\\, e.g. anakin:crawl:abc123."`
	Cursor    string `json:"cursor,omitempty" jsonschema:"description=next_cursor from the previous result\\, to continue where it stopped."`
	MaxLength int    `json:"max_length,omitempty" jsonschema:"description=Maximum characters of page content in this result (default 20000).,minimum=100,maximum=1000000"`
}

func jobStatusTool(d *Deps) Tool {
	return define[JobStatusArgs, JobResult](d, "job_status", "Check a job and read its results",
		`Read the status and results of a job started by crawl (or of a scrape/batch that outlived its call), page by page.
Pass the job_id you were given; when the result has truncated=true, call again with cursor=next_cursor to read the next part. Results are bounded by max_length. Job ids carry their provider, so they keep working across server restarts for API providers (local jobs live in this server's memory for about an hour).`,
		annotations{readOnly: true, idempotent: true, openWorld: true},
		func(ctx context.Context, req mcp.CallToolRequest, a JobStatusArgs) (*mcp.CallToolResult, error) {
			p := d.Provider.Name()
			ref, err := d.jobRef(a.JobID)
			if err != nil {
				return failure(err), nil
			}
			cur, err := parseCursor(p, a.Cursor)
			if err != nil {
				return failure(err), nil
			}
			maxLen, err := checkMaxLength(p, a.MaxLength, 0, d.MaxOutput)
			if err != nil {
				return failure(err), nil
			}
			// At shutdown a status read is usually a moment from done:
			// answering with it beats telling the agent to ask again.
			ctx, cancelGrace := graceAfterShutdown(ctx, shutdownGrace)
			defer cancelGrace()
			ctx, cancel := withDefaultTimeout(ctx, time.Minute)
			defer cancel()
			j, jerr := d.Provider.Job(ctx, ref)
			if jerr != nil {
				return failure(client.AsError(p, jerr)), nil
			}
			res := jobResult(j, cur, maxLen)
			return success(res, res.text(), res.Cost), nil
		})
}

// jobRef parses a job id and checks this server can answer for it.
func (d *Deps) jobRef(id string) (client.JobRef, *client.Error) {
	p := d.Provider.Name()
	if id == "" {
		return client.JobRef{}, invalid(p, "job_id", "job_id is required: pass the job_id a crawl returned, e.g. anakin:crawl:abc123")
	}
	ref, err := client.ParseJobRef(id)
	if err != nil {
		return client.JobRef{}, invalid(p, "job_id", "%v", err)
	}
	if ref.Provider != p {
		return client.JobRef{}, &client.Error{Provider: p, Code: client.CodeUnsupported, Field: "job_id",
			Message: "job " + id + " belongs to the " + ref.Provider + " provider, but this server runs " + p + "; ask the user to start scrapemcp with that provider's API key, or start the job again here"}
	}
	return ref, nil
}
