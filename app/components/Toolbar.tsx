/** The top bar: story, policy, kernel, theme, panels, help. */
import { KERNELS, POLICIES, type KernelId, type PolicyId } from "../../core/model/types";
import { STORIES } from "../../stories/index";
import { useMachines } from "../context";
import { setHelpOpen, setTheme, togglePanel, useScope } from "../store";

function storyTitle(source: string, id: string): string {
  return /^#\s*title:\s*(.*)$/m.exec(source)?.[1] ?? id;
}

export function Toolbar() {
  const machines = useMachines();
  const policy = useScope((s) => s.policy);
  const kernel = useScope((s) => s.kernel);
  const theme = useScope((s) => s.theme);
  const panels = useScope((s) => s.panels);
  const title = useScope((s) => s.title);
  const source = useScope((s) => s.source);
  const current = STORIES.find((s) => s.source === source)?.id ?? "";

  return (
    <header className="toolbar">
      <h1 className="brand">skbscope</h1>
      <label>
        <span>story</span>
        <select
          value={current}
          onChange={(e) => {
            const story = STORIES.find((s) => s.id === e.target.value);
            if (story) machines.open(story.source, "first-violation");
          }}
        >
          {current === "" && <option value="">(edited trace)</option>}
          {STORIES.map((s) => (
            <option key={s.id} value={s.id}>
              {storyTitle(s.source, s.id)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>policy</span>
        <select value={policy} onChange={(e) => machines.choose(e.target.value as PolicyId, useScope.getState().kernelChoice)} data-testid="policy">
          {POLICIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>kernel</span>
        <select value={kernel} onChange={(e) => machines.choose(useScope.getState().policyChoice, e.target.value as KernelId)} data-testid="kernel">
          {KERNELS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <span className="trace-title" title={title ?? ""}>
        {title ?? ""}
      </span>
      <div className="toolbar-right">
        <button type="button" aria-pressed={panels.editor} onClick={() => togglePanel("editor")}>
          editor
        </button>
        <button type="button" aria-pressed={panels.lifetimes} onClick={() => togglePanel("lifetimes")}>
          lifetimes
        </button>
        <button type="button" aria-pressed={panels.side} onClick={() => togglePanel("side")}>
          panel
        </button>
        <button type="button" onClick={() => setTheme(theme === "dark" ? "light" : "dark")} aria-label={`switch to the ${theme === "dark" ? "light" : "dark"} theme`}>
          {theme === "dark" ? "☀ light" : "☾ dark"}
        </button>
        <button type="button" onClick={() => setHelpOpen(true)} aria-label="keyboard help">
          ?
        </button>
      </div>
    </header>
  );
}
