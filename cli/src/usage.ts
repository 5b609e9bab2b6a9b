/** Help texts: `spar --help` (the overview) and one per command (`spar run --help`). */

export const USAGE = `spar — test voice AI agents with a simulated caller

Usage:
  spar run [SUITE...] [options]     run suite files (default: spar.yaml) embedded, nothing else to start
  spar probe URL --secret S [opts]  check an X-RUBRIC text agent against the protocol, frame by frame
  spar serve [options]              run the Spar gateway (API, test runs, webhooks) on this machine
  spar help [COMMAND]               this text, or a command's options (same as spar COMMAND --help)
  spar --version, -v                print the version

Run "spar run --help", "spar probe --help" or "spar serve --help" for a command's options.

Exit codes: 0 all passed · 1 something failed · 2 usage or config error · 130 interrupted (Ctrl-C)`;

export const RUN_HELP = `spar run [SUITE...] [options]

Runs every selected scenario of the suite files (default: spar.yaml), embedded: nothing else to
start. A live progress bar on a terminal, one plain line per run otherwise (CI).

Options:
  --agent-url URL        override agent.text.url of every suite (before \${VAR} interpolation)
  --secret S             override agent.text.secret (before \${VAR} interpolation)
  --channel text|voice   run every scenario on this channel
  --tag T                only scenarios with this tag (repeatable)
  --only ID              only this scenario id (repeatable)
  --concurrency N        runs at once, 1-1000 (default 4)
  --report-json PATH     write the JSON report (checked to be writable before any run starts)
  --junit PATH           write a JUnit XML report (checked the same way)
  --verbose              also show diagnostic logs (for voice runs, rtc-node's own)
  --gateway URL          run on a Spar gateway (spar serve) instead of here: the suites are
                         upserted, one test run per suite, same reports and exit codes (text only)
  --api-key K            the gateway's API key (default: SPAR_API_KEY)
  -h, --help             this text

At most 10,000 runs (scenarios × repeat, across suites) per invocation.
Ctrl-C stops the runs, prints the summary and writes the reports (exit 130); a second Ctrl-C
exits at once.

Exit codes: 0 every run passed · 1 a run failed · 2 usage or config error · 130 interrupted`;

export const PROBE_HELP = `spar probe URL --secret S [options]

Connects to an X-RUBRIC text agent exactly as a run does, sends the caller's turns, prints every
frame with its timing and how it was read, and stops at the first violation, naming the rule.

Options:
  --secret S             the X-RUBRIC-SECRET to send (required)
  --agent-id ID          X-RUBRIC-AGENT-ID (default: probe)
  --header X-Name=value  extra X-* header (repeatable)
  --say TEXT             a caller turn (repeatable; default: one greeting)
  --first-speaker agent  wait for the agent's greeting first
  --timeout-s N          per-turn timeout in seconds (default 10)
  --verbose              also show diagnostic logs
  -h, --help             this text

Exit codes: 0 the agent follows the protocol · 1 a violation, timeout or rejected secret ·
2 usage error · 130 interrupted`;

export const SERVE_HELP = `spar serve [options]

Runs the Spar gateway on this machine: the HTTP API (API keys, agents, scenarios, test runs,
runs with live events, webhooks) over a libSQL file in the data folder. The first start creates
workspace "default" and prints its API key once (also written to <data>/api-key, mode 0600).
Ctrl-C or SIGTERM stops it: runs in flight end interrupted, each recorded.

Options:
  --port N               port to listen on (default 8787; 0 picks a free one)
  --host H               address to listen on (default 127.0.0.1)
  --data DIR             data folder: gateway.db, secret.key, api-key (default .spar/gateway)
  --runtime node|workers where it runs (default node); workers: the Worker in workerd through
                         wrangler dev, offline, --data as its local persistence
  -h, --help             this text

Environment (checked at start; a bad value exits 2 naming it):
  SPAR_ADMIN_TOKEN       enables /v1/admin/* (at least 16 characters)
  SPAR_SECRET_KEY        base64 of 32 bytes for secrets at rest (default: <data>/secret.key)
  SPAR_OUTBOUND_POLICY   public | loopback | any: which agent/webhook URLs may be called (default loopback)
  SPAR_PUBLIC_URL        base of report_url links (default: the listening URL)
  SPAR_CREDITS           on | off (default off)
  SPAR_WEBHOOK_FIRST_RETRY_MS  100-30000: window of the first webhook retry (default 30000)`;
