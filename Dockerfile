# scrapemcp as a container: a static binary on distroless, run as non-root.
#
#   docker build -t scrapemcp .
#   docker run --rm -p 127.0.0.1:8080:8080 -e SCRAPEMCP_AUTH_TOKEN="$TOKEN" scrapemcp
#
# The default command serves streamable HTTP on 0.0.0.0:8080 (/mcp), which
# other machines can reach, so it needs a token: without SCRAPEMCP_AUTH_TOKEN
# (or --auth-token) it refuses to start and says so. For a host that starts
# the server itself over stdio: docker run --rm -i scrapemcp stdio
# API keys: -e ANAKIN_API_KEY or -e ALTERLAB_API_KEY (without one, the local
# backend fetches pages itself).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION wins over the version Go reads from the module and VCS.
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/scrapemcp .

FROM gcr.io/distroless/static-debian12:nonroot
LABEL io.modelcontextprotocol.server.name="io.github.scrapemcp/scrapemcp" \
      org.opencontainers.image.source="https://github.com/scrapemcp/scrapemcp" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /out/scrapemcp /usr/local/bin/scrapemcp
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["scrapemcp"]
CMD ["http", "--addr", "0.0.0.0:8080"]
