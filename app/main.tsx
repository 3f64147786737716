import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { parseTrace, verdictMatrix } from "../core/index";
import source from "../stories/seed/tsirkin-pskb-copy.trace?raw";

function App() {
  const { trace } = parseTrace(source);
  const matrix = verdictMatrix(trace);
  return (
    <main>
      <h1>skbscope</h1>
      <h2>{trace.title}</h2>
      <pre>{source}</pre>
      <table>
        <tbody>
          {matrix.entries.map((e) => (
            <tr key={e.policy}>
              <th>{e.policy}</th>
              <td>{e.verdict}</td>
              <td>{e.findings.map((f) => f.message).join("; ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
