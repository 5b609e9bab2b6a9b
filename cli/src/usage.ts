export const USAGE = `spar — test voice AI agents with a simulated caller

Usage:
  spar run [SUITE...] [options]     run suite files (default: spar.yaml) embedded, nothing else to start
  spar probe URL --secret S [opts]  check an X-RUBRIC text agent against the protocol, frame by frame
  spar help                         this text

spar run options:
  --agent-url URL        override agent.text.url of every suite
  --secret S             override agent.text.secret
  --channel text|voice   run every scenario on this channel
  --tag T                only scenarios with this tag (repeatable)
  --only ID              only this scenario id (repeatable)
  --concurrency N        runs at once (default 4)
  --report-json PATH     write the JSON report
  --junit PATH           write a JUnit XML report
  --verbose              also show diagnostic logs (for voice runs, rtc-node's own)
  --gateway URL --api-key K   run on a Spar gateway instead of embedded (not available yet)

spar probe options:
  --secret S             the X-RUBRIC-SECRET to send (required)
  --agent-id ID          X-RUBRIC-AGENT-ID (default: probe)
  --header X-Name=value  extra X-* header (repeatable)
  --say TEXT             a caller turn (repeatable; default: one greeting)
  --first-speaker agent  wait for the agent's greeting first
  --timeout-s N          per-turn timeout in seconds (default 10)

Exit codes: 0 all passed · 1 something failed · 2 usage or config error`;
