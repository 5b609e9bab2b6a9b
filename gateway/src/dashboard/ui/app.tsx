/** The app: sign-in gate, navigation and the page for the current path. */
import { useEffect, useState } from "preact/hooks";
import { storedKey, storeKey, whenUnauthorized } from "./api.ts";
import { AgentPage, AgentsPage } from "./pages/agents.tsx";
import { KeysPage } from "./pages/keys.tsx";
import { RunPage } from "./pages/run.tsx";
import { ScenarioPage, ScenariosPage } from "./pages/scenarios.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { TestRunPage } from "./pages/test-run.tsx";
import { TestRunsPage } from "./pages/test-runs.tsx";
import { BASE, onLinkClick, type Route, routeOf, usePath } from "./router.ts";

const NAV = [
  { href: `${BASE}/test-runs`, label: "Test runs", pages: ["test-runs", "test-run", "run"] },
  { href: `${BASE}/agents`, label: "Agents", pages: ["agents", "agent"] },
  { href: `${BASE}/scenarios`, label: "Scenarios", pages: ["scenarios", "scenario"] },
  { href: `${BASE}/keys`, label: "API keys & webhooks", pages: ["keys"] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "test-runs":
      return <TestRunsPage />;
    case "test-run":
      return <TestRunPage id={route.id} />;
    case "run":
      return <RunPage id={route.id} />;
    case "agents":
      return <AgentsPage />;
    case "agent":
      return <AgentPage id={route.id} />;
    case "scenarios":
      return <ScenariosPage />;
    case "scenario":
      return <ScenarioPage id={route.id} />;
    case "keys":
      return <KeysPage />;
    case "not-found":
      return (
        <>
          <h1>Not found</h1>
          <p>
            There is no dashboard page at <code>{route.path}</code>.
          </p>
        </>
      );
  }
}

export function App() {
  const [key, setKey] = useState(storedKey());
  const [refused, setRefused] = useState(false);
  const route = routeOf(usePath());
  useEffect(() => {
    whenUnauthorized(() => {
      storeKey(null);
      setRefused(true);
      setKey(null);
    });
    addEventListener("click", onLinkClick);
    return () => removeEventListener("click", onLinkClick);
  }, []);
  useEffect(() => {
    document.title = `Spar — ${route.page.replace("-", " ")}`;
  }, [route.page]);

  if (key === null) {
    return (
      <SignIn
        refused={refused}
        onSignedIn={(k) => {
          storeKey(k);
          setRefused(false);
          setKey(k);
        }}
      />
    );
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={`${BASE}/test-runs`}>
          Spar
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="link-button"
          onClick={() => {
            storeKey(null);
            setKey(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        <Page route={route} />
      </main>
    </>
  );
}
