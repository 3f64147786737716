// SPDX-License-Identifier: GPL-2.0-only
/** The selected object's fields, named as in skbuff.h. */
import type { StateView } from "../../core/index";
import { FAMILY_WORDS, datarefExplained, datarefText } from "../graph/format";
import { useScope } from "../store";

type Row = [field: string, value: string];

export function Inspector() {
  const view = useScope((s) => s.view);
  const selection = useScope((s) => s.selection);
  const rows = selection && view ? fieldsOf(selection, view) : null;
  return (
    <section className="inspector" aria-label="inspector" data-testid="inspector">
      <h2>inspector</h2>
      {!selection ? (
        <p className="quiet">Select an object in the graph (click, or Tab then Enter).</p>
      ) : !rows ? (
        <p className="quiet">{selection.slice(selection.indexOf(":") + 1)} does not exist at this step.</p>
      ) : (
        <dl>
          {rows.map(([k, v]) => (
            <div key={k} className="field">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

const str = (v: unknown) => (v === null || v === undefined ? "NULL" : typeof v === "boolean" ? (v ? "1" : "0") : String(v));

export function fieldsOf(selection: string, view: StateView): Row[] | null {
  const at = selection.indexOf(":");
  const kind = selection.slice(0, at);
  const name = selection.slice(at + 1);
  switch (kind) {
    case "skb": {
      const s = view.skbs.find((x) => x.name === name);
      if (!s) return null;
      return [
        ["struct sk_buff", s.name],
        ["users", str(s.users)],
        ["cloned", str(s.cloned)],
        ["nohdr", str(s.nohdr)],
        ["fclone", s.fclone],
        ["len", str(s.len)],
        ["data_len", str(s.data_len)],
        ["skb_headlen()", str(s.headlen)],
        ["skb_headroom()", str(s.headroom)],
        ["skb_tailroom()", str(s.tailroom)],
        ["truesize", str(s.truesize)],
        ["head", `${s.head}${s.head_frag ? " (head_frag)" : ""}`],
        [`skb_shinfo(${s.name})->dataref`, `${datarefText(s.dataref)} = ${datarefExplained(s.dataref)}`],
        [`skb_shinfo(${s.name})->nr_frags`, str(s.nr_frags)],
        ...s.frags.map((f, i): Row => [`frags[${i}]`, `page ${f.page}, offset ${f.offset}, size ${f.size}`]),
        ["frag_list", s.frag_list.length ? s.frag_list.join(" → ") : "NULL"],
        ["destructor", str(s.destructor)],
        ["sk", str(s.sk)],
        ["on queue", str(s.queue)],
        // 6.1 skb_mark_for_recycle(); shown only when set.
        ...(s.pp_recycle ? [["pp_recycle", "1 (frag pages go back to their page_pool)"] as Row] : []),
      ];
    }
    case "data": {
      const d = view.datas.find((x) => x.head === name);
      if (!d) return null;
      return [
        ["head (Data)", d.head],
        ["skbs on it", d.skbs.join(", ") || "none"],
        ["dataref", `${datarefText(d.dataref)} = ${datarefExplained(d.dataref)}`],
        ["skb_end_offset()", str(d.end)],
        ["nr_frags", str(d.nr_frags)],
        ...d.frags.map((f, i): Row => [`frags[${i}]`, `page ${f.page}, offset ${f.offset}, size ${f.size}`]),
        ["frag_list", d.frag_list.length ? d.frag_list.join(" → ") : "NULL"],
        ["head page", str(d.head_page)],
        ["destructor_arg (ubuf_info)", str(d.ubuf)],
        ["SKBFL_DONT_ORPHAN", str(d.dont_orphan)],
        ["release (2009 patch)", str(d.release)],
      ];
    }
    case "page": {
      const p = view.pages.find((x) => x.name === name);
      if (!p) return null;
      return [
        ["struct page", p.name],
        ["owner", p.owner],
        ["origin", p.origin],
        ["refcount", str(p.refcount)],
        ["freed", str(p.freed)],
        // page->pp: a page_pool page, and whether its ring holds it now.
        ...(p.pp ? [["page->pp", `${p.pp}${p.pp_in_pool ? " (recycled: in its ring)" : ""}`] as Row] : []),
        ...p.holders.map((h, i): Row => [`holder ${i + 1}`, h]),
      ];
    }
    case "pipe": {
      const q = view.pipes.find((x) => x.name === name);
      if (!q) return null;
      return [["pipe", q.name], ...q.bufs.map((b, i): Row => [`bufs[${i}]`, `page ${b.page}, offset ${b.offset}, len ${b.len}`])];
    }
    case "sock": {
      const s = view.sockets.find((x) => x.name === name);
      if (!s) return null;
      return [
        ["struct sock", s.name],
        ["family", s.family ? FAMILY_WORDS[s.family] : "none yet: set by the first skb it receives"],
        ["sk_receive_queue", s.queue.join(", ") || "empty"],
      ];
    }
    case "ubuf": {
      const u = view.ubufs.find((x) => x.name === name);
      if (!u) return null;
      return [
        ["struct ubuf_info", u.name],
        ["kind", u.kind],
        ["refcnt", str(u.refcnt)],
        ["SKBFL_DONT_ORPHAN", str(u.dont_orphan)],
        ["buffer", u.buffer],
        ["callbacks", str(u.callbacks)],
        ["zerocopy", str(u.zerocopy)],
      ];
    }
    case "buffer": {
      const b = view.buffers.find((x) => x.name === name);
      if (!b) return null;
      return [
        ["owner's buffer", b.name],
        ["armed on", b.skb],
        ["armed at step", str(b.armedAt)],
        ["pages", b.pages.join(", ")],
        ["told complete at", b.completions.join(", ") || "not yet"],
      ];
    }
    default:
      return null;
  }
}
