/** The page's one stylesheet, inlined: light and dark (prefers-color-scheme), phone to desktop. */
export const CSS = `
:root{--bg:#f6f7f9;--card:#fff;--text:#1f2430;--muted:#636b7a;--line:#e3e6eb;--link:#2457c5;
--ok:#2fa866;--maint:#3b82f6;--minor:#e6a700;--major:#e8710a;--critical:#d93025;--none:#c9ced6;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0f1217;--card:#181c23;--text:#e6e9ee;--muted:#9aa3b2;
--line:#2a303a;--link:#7aa7ff;--none:#3a414d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
a{color:var(--link)}
.wrap{max-width:860px;margin:0 auto;padding:24px 16px 48px}
header h1{margin:0 0 4px;font-size:1.6rem}
header p{margin:0;color:var(--muted)}
h2{font-size:1.05rem;margin:32px 0 10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin-bottom:12px}
.banner{margin-top:20px;border-radius:10px;padding:16px 18px;color:#fff;font-weight:600;font-size:1.1rem;background:var(--ok)}
.banner.minor{background:var(--minor);color:#1f1600}.banner.major{background:var(--major)}.banner.critical{background:var(--critical)}
.banner.maint{background:var(--maint)}
.incident{border-left:4px solid var(--minor)}
.incident.major{border-left-color:var(--major)}.incident.critical{border-left-color:var(--critical)}
.incident.maintenance{border-left-color:var(--maint)}.incident.none{border-left-color:var(--muted)}
.incident h3{margin:0 0 6px;font-size:1rem}
.update{margin:8px 0 0}
.update .meta,.muted{color:var(--muted);font-size:.85rem}
.components{padding:0}
.component{padding:12px 16px;border-top:1px solid var(--line)}
.component:first-child{border-top:0}
.group>.component{padding-left:28px}
.group-name{padding:12px 16px;font-weight:600;border-top:1px solid var(--line);display:flex;justify-content:space-between;gap:8px}
.components>.group:first-child .group-name{border-top:0}
.row{display:flex;justify-content:space-between;gap:8px;align-items:baseline}
.name{font-weight:500}
.desc{color:var(--muted);font-size:.85rem}
.s-operational{color:var(--ok)}.s-under_maintenance{color:var(--maint)}.s-degraded_performance{color:#b58400}
.s-partial_outage{color:var(--major)}.s-major_outage{color:var(--critical)}
@media (prefers-color-scheme:dark){.s-degraded_performance{color:var(--minor)}}
.status{font-size:.85rem;white-space:nowrap}
svg.bars{display:block;width:100%;height:34px;margin-top:8px}
.bars rect{fill:var(--ok)}.bars rect.nodata{fill:var(--none)}.bars rect.degraded_performance{fill:var(--minor)}
.bars rect.partial_outage{fill:var(--major)}.bars rect.major_outage{fill:var(--critical)}
.bars rect:hover{opacity:.7}
.legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem;margin-top:4px}
.day{padding:10px 0;border-top:1px solid var(--line)}
.day h3{margin:0 0 4px;font-size:.95rem}
.day p{margin:2px 0}
footer{margin-top:36px;color:var(--muted);font-size:.85rem;display:flex;flex-wrap:wrap;gap:12px;justify-content:space-between}
@media (max-width:520px){.wrap{padding:16px 10px 32px}header h1{font-size:1.35rem}.legend .pct{display:none}}
`;
