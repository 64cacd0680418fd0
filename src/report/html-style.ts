/*
 * The HTML report's only stylesheet, inlined: the file must open from a CI
 * artifact or an e-mail with no network. System fonts only; light colours
 * that survive printing; badges keep their colour in print.
 */
export const HTML_STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-code: #f6f8fa; --red: #cf222e; --orange: #bc4c00; --yellow: #9a6700; --green: #1a7f37; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 4px; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; white-space: nowrap; }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
pre { background: var(--bg-code); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 4px 0 8px; }
.badge { display: inline-block; font: 600 12px/1.6 ui-monospace, Menlo, Consolas, monospace; padding: 0 8px; border-radius: 10px; color: #fff; white-space: nowrap; margin: 1px 4px 1px 0; }
.badge.readsAndWrites { background: var(--red); }
.badge.writes { background: var(--orange); }
.badge.ddl { background: var(--yellow); }
.badge.nothing { background: var(--green); }
.pill { display: inline-block; font-size: 12px; padding: 0 8px; border-radius: 10px; border: 1px solid var(--line); }
.pill.holds, .pill.done, .pill.yes { border-color: var(--green); color: var(--green); }
.pill.waiting, .pill.running, .pill.warning { border-color: var(--yellow); color: var(--yellow); }
.pill.failed, .pill.error, .pill.no { border-color: var(--red); color: var(--red); }
.unit { break-inside: avoid-page; }
.step { border-left: 3px solid var(--line); padding: 2px 0 2px 12px; margin: 12px 0; break-inside: avoid; }
.finding { margin: 4px 0; }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; }
.k { color: #0550ae; font-weight: 600; } .s { color: #0a3069; } .c { color: var(--muted); font-style: italic; } .n { color: #953800; } .i { color: #6639ba; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  pre { white-space: pre-wrap; border-color: #999; }
  h2 { break-after: avoid; }
}
`;
