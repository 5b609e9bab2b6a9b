/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core against
 * the real `spar serve` (its bin, a libSQL data folder) and the reference text agent. Signs in,
 * starts a test run from the page, watches a run's transcript stream in over SSE, opens the
 * test run through its `report_url`, and opens a stored voice run: waveform, turn timeline with
 * the right turns, play and click-to-seek. The Worker serves the same bytes. Screenshots land in
 * .spar/dashboard-screenshots/.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSparBin, tempDir } from "../cli/cli-harness.ts";
import { seedVoiceRun, storeSeededRecording, VOICE_TURNS } from "./voice-run-seed.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
const SHOTS = new URL("../../.spar/dashboard-screenshots/", import.meta.url).pathname;
const SECRET = "dashboard-secret";

let agent: ReferenceTextAgent;
let dir: string;
let gateway: ReturnType<typeof startSparBin>;
let url: string;
let key: string;
let browser: Browser;
let agentId: number;
let voiceRunId: number;
/** A voice run whose call recorded nothing: the page says the gateway has none (404). */
let unrecordedRunId: number;
/** The Worker gateway, started in beforeAll so that wrangler's start overlaps the browser tests. */
let workersServing: ReturnType<typeof serve> | undefined;
/** The test's page, screenshotted (with its console) when the test fails. */
let current: { page: Page; console: string[] } | null = null;

/** `spar serve` through its real bin, once it listens, with its first-start key. */
async function serve(data: string, runtime: "node" | "workers") {
  const proc = startSparBin(["serve", "--port", "0", "--data", data, "--runtime", runtime]);
  // wrangler dev starts in 2–3 s idle, but the Worker's start overlaps the browser tests: under a
  // load average of 13 on 2 cores it was measured past 60 s.
  const deadline = Date.now() + 150_000;
  while (!/listening on (http:\/\/\S+)/.test(proc.stdout())) {
    if (Date.now() > deadline) throw new Error(`spar serve did not start: ${proc.stdout()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const listening = /listening on (http:\/\/\S+)/.exec(proc.stdout())?.[1] ?? "";
  return { gateway: proc, url: listening, key: (await readFile(join(data, "api-key"), "utf8")).trim() };
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "X-API-Key": key, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

/** A new tab of its own (its own sessionStorage), errors of the page failing the test. */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  current = { page, console: [] };
  const log = current.console;
  page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  return { page, errors };
}

async function signIn(page: Page, path = "/dashboard/"): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

describe.skipIf(CHROMIUM === undefined)("the dashboard in headless Chromium", () => {
  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
    dir = await tempDir();
    workersServing = serve(join(dir, "workers"), "workers");
    // Awaited by its test; a failed start must not be an unhandled rejection before then.
    workersServing.catch(() => undefined);
    ({ gateway, url, key } = await serve(dir, "node"));
    // Slow replies (400 ms a turn, 4 turns) so the transcript visibly streams in.
    const suite = await call("PUT", "/v1/suites", {
      version: 1,
      agent: {
        id: "echo-bot",
        text: {
          url: `${agent.url}/echo?behavior=slow:400`,
          secret: SECRET,
          per_turn_timeout_s: 5,
          settle_ms: 20,
        },
      },
      scenarios: [
        {
          id: "four-turns",
          name: "Four turns",
          script: [
            { say: "one" },
            { say: "two" },
            { say: "three" },
            { say: "four" },
            { expect: "/said: four/" },
          ],
        },
      ],
    });
    expect(suite.status, JSON.stringify(suite.body)).toBe(200);
    const upserted = suite.body as { agent_id: number; scenarios: { id: number }[] };
    agentId = upserted.agent_id;
    const seed = (nowMs: number) =>
      seedVoiceRun(join(dir, "gateway.db"), agentId, upserted.scenarios[0]?.id ?? 0, nowMs);
    voiceRunId = await seed(Date.now());
    unrecordedRunId = await seed(Date.now());
    await storeSeededRecording(dir, voiceRunId);
    await mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM ?? "chromium",
      // Root in a container has no user namespaces for Chromium's sandbox; the page is our own.
      args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
    });
  }, 60_000);

  afterEach(async (ctx) => {
    if (current !== null && ctx.task.result?.state === "fail") {
      await current.page.screenshot({ path: join(SHOTS, `failed-${ctx.task.id}.png`), fullPage: true });
      process.stderr.write(`page console of "${ctx.task.name}":\n${current.console.join("\n")}\n`);
    }
    await current?.page.context().close();
    current = null;
  });

  afterAll(async () => {
    const workers = await workersServing?.catch(() => undefined);
    if (workers !== undefined && workers.gateway.child.exitCode === null) {
      workers.gateway.child.kill("SIGTERM");
      await workers.gateway.result;
    }
    await browser?.close();
    gateway?.child.kill("SIGTERM");
    await gateway?.result;
    await agent?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("refuses a wrong key, signs in with the right one, starts a test run and streams a run's transcript in", async () => {
    const { page, errors } = await newPage();
    await page.goto(`${url}/dashboard/`);
    await page.getByLabel("API key").fill("spar_not_a_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("refused");
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Test runs" }).waitFor();

    await page.getByText("Start a test run").click();
    await page.getByLabel("Four turns").waitFor();
    await page.getByRole("button", { name: "Start test run" }).click();
    await page.waitForURL(/\/dashboard\/test-runs\/\d+$/);
    const testRunId = Number(/(\d+)$/.exec(page.url())?.[1]);
    await page.getByRole("link", { name: /\(text\)/ }).click();
    await page.waitForURL(/\/dashboard\/runs\/\d+$/);

    // Count the transcript's entries as they arrive: a stream shows some before it shows all.
    const seen = new Set<number>();
    const entries = page.locator(".transcript > li");
    const deadline = Date.now() + 20_000;
    while (!(await page.getByText("completed", { exact: true }).isVisible())) {
      if (Date.now() > deadline) throw new Error("the run did not complete on the page");
      seen.add(await entries.count());
      await page.waitForTimeout(40);
    }
    const final = await entries.count();
    // The caller's four turns and the agent's four replies.
    expect(final).toBe(8);
    expect([...seen].some((n) => n > 0 && n < final)).toBe(true);
    await expect.poll(() => page.locator(".entry-agent .said").last().textContent()).toContain("four");
    await expect.poll(() => page.getByText("passed", { exact: true }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "text-run.png"), fullPage: true });

    // The test run's report_url opens its page.
    const view = await call("GET", `/v1/test-runs/${testRunId}`);
    const reportUrl = (view.body as { report_url: string }).report_url;
    expect(reportUrl).toBe(`${url}/dashboard/test-runs/${testRunId}`);
    await page.goto(reportUrl);
    await page.getByRole("heading", { name: new RegExp(`Test run #${testRunId}`) }).waitFor();
    await expect.poll(() => page.locator(".badge").first().textContent()).toBe("passed");
    await page.goto(`${url}/dashboard/test-runs`);
    await page.getByRole("link", { name: `#${testRunId}` }).waitFor();
    await page.screenshot({ path: join(SHOTS, "test-runs.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 45_000);

  it("shows a voice run's turn timeline and says so when the gateway has no recording (404)", async () => {
    const { page, errors } = await newPage();
    await signIn(page, `/dashboard/runs/${unrecordedRunId}`);
    await page.locator('.recording[data-state="unavailable"]').waitFor();
    expect(await page.getByRole("status").filter({ hasText: "404" }).count()).toBe(1);
    expect(await page.locator(".timeline .turn").count()).toBe(VOICE_TURNS.length);
    // A run that failed its assertion reads failed, with the reason, never passed.
    expect(await page.locator(".facts .badge").allTextContents()).toEqual(["completed", "failed"]);
    expect(await page.locator(".assertions li").allTextContents()).toEqual([
      "failed max_latency_ms p95 2112.5 ms > 1500 ms",
    ]);
    expect(
      await page.getByRole("status").filter({ hasText: "assertion max_latency_ms failed" }).count(),
    ).toBe(1);
    expect(errors).toEqual([]);
  }, 30_000);

  it("draws a voice run's waveform from the recording fetched with the key, plays it and seeks on a turn click", async () => {
    const { page, errors } = await newPage();
    const recordingKeys: (string | undefined)[] = [];
    page.on("request", (request) => {
      if (request.url().includes(`/v1/runs/${voiceRunId}/recording`))
        recordingKeys.push(request.headers()["x-api-key"]);
    });
    await signIn(page, `/dashboard/runs/${voiceRunId}`);
    const recording = page.locator('.recording[data-state="ready"]');
    await recording.waitFor({ timeout: 15_000 });
    expect(recordingKeys).toEqual([key]);
    expect(await recording.getAttribute("data-duration-ms")).toBe("8000");
    // wavesurfer.js draws each channel into canvases inside its shadow root.
    // (Playwright's CSS locators pierce open shadow roots.)
    expect(await page.locator(".waveform canvas").count()).toBeGreaterThan(0);

    // The timeline: one button per turn in its lane, the measured latencies, the bands.
    const turns = page.locator(".timeline .turn");
    expect(await turns.count()).toBe(5);
    expect(await page.locator(".lane-caller .turn").count()).toBe(2);
    expect(await page.locator(".lane-agent .turn").count()).toBe(3);
    expect(await page.locator(".lane-agent .latency").allTextContents()).toEqual(["450 ms", "2.20 s"]);
    expect(await page.locator(".band-interruption").count()).toBe(1);
    expect(await page.locator(".band-silence").count()).toBe(1);

    const clock = page.locator(".clock");
    await page.getByRole("button", { name: "Play" }).click();
    await expect
      .poll(async () => Number(await clock.getAttribute("data-current-ms")), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByRole("button", { name: "Pause" }).click();
    // Turns are buttons: the keyboard seeks too (the caller's first turn starts at 1.7 s).
    await page.locator('.turn[data-turn="2"]').press("Enter");
    await expect.poll(async () => Number(await clock.getAttribute("data-current-ms"))).toBe(1700);
    // Agent turn 5 starts at 6.6 s: a click there moves the playhead there.
    await page.locator('.turn[data-turn="5"]').click();
    await expect.poll(async () => Number(await clock.getAttribute("data-current-ms"))).toBe(6600);
    expect(await clock.textContent()).toBe("0:06.6 / 0:08.0");
    await page.screenshot({ path: join(SHOTS, "voice-run.png"), fullPage: true });

    // On a phone-sized screen the page still lays out without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    expect(overflow).toBe(0);
    await page.screenshot({ path: join(SHOTS, "voice-run-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows an agent's secret only as configured, saves an edit, creates a scenario, and shows a new API key once", async () => {
    const { page, errors } = await newPage();
    await signIn(page, `/dashboard/agents/${agentId}`);
    await page.getByRole("list", { name: "Secrets" }).waitFor();
    expect(await page.getByRole("list", { name: "Secrets" }).textContent()).toBe("text.secret: configured");
    const editor = page.getByLabel("Agent", { exact: true });
    expect(await editor.inputValue()).not.toContain(SECRET);
    const edited = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...edited, name: "Echo bot, renamed" }));
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { name: "Echo bot, renamed" }).waitFor();
    // A field the API refuses: its message, naming the field, on the page.
    await editor.fill(JSON.stringify({ colour: "blue" }));
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("colour");

    // The new-scenario page's template is a scenario the API takes as it is.
    await page.getByRole("link", { name: "Scenarios" }).click();
    await page.getByRole("link", { name: "New scenario" }).click();
    await page.getByRole("button", { name: "Create" }).click();
    await page.waitForURL(/\/dashboard\/scenarios\/\d+$/);
    await page.getByRole("heading", { name: "Refund" }).waitFor();

    await page.getByRole("link", { name: "API keys & webhooks" }).click();
    await page.getByLabel("New key's name").fill("ci");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = (await page.locator(".secret-value").textContent()) ?? "";
    expect(shown).toMatch(/^spar_/);
    expect((await fetch(`${url}/v1/credits`, { headers: { "X-API-Key": shown } })).status).toBe(200);
    await page.reload();
    await page.getByRole("cell", { name: "ci", exact: true }).waitFor();
    expect(await page.locator(".secret-value").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);

  it("serves the same pages, byte for byte, from the Worker (workerd through wrangler dev) as from Node", async () => {
    const workers = await (workersServing ?? serve(join(dir, "workers"), "workers"));
    try {
      const page = async (base: string) => (await fetch(`${base}/dashboard/runs/1`)).text();
      const [nodeHtml, workerHtml] = await Promise.all([page(url), page(workers.url)]);
      expect(workerHtml).toBe(nodeHtml);
      // The pages run the same in either (the browser tests above use Node's): same script, same bytes.
      const script = /src="(\/dashboard\/assets\/app-\w+\.js)"/.exec(nodeHtml)?.[1] ?? "";
      const [nodeJs, workerJs] = await Promise.all([
        fetch(`${url}${script}`),
        fetch(`${workers.url}${script}`),
      ]);
      expect([nodeJs.status, workerJs.status]).toEqual([200, 200]);
      expect(await workerJs.text()).toBe(await nodeJs.text());
      const signedIn = await fetch(`${workers.url}/v1/api-keys`, { headers: { "X-API-Key": workers.key } });
      expect(signedIn.status).toBe(200);
    } finally {
      workers.gateway.child.kill("SIGTERM");
      await workers.gateway.result;
    }
  }, 150_000);
});
