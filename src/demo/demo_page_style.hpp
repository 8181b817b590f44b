#pragma once
// The stylesheet of demo/index.html, compiled in (the page must open from disk with nothing beside it but
// the files it shows).
namespace saerad::demo {

inline constexpr const char* kDemoPageCss = R"css(
:root { --fg:#1d2329; --muted:#5b6670; --line:#d9dee3; --bg:#f6f7f9; --card:#fff; --accent:#1f5f99;
        --good:#1e7a3c; --fair:#9a6a00; --poor:#a33; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header { background:#14202b; color:#eef2f5; padding:24px 32px 12px; }
header h1 { margin:0 0 8px; font-size:24px; }
header .lede { max-width:980px; color:#c6d0d8; margin:0 0 16px; }
header nav a { color:#9fc6ea; margin-right:16px; text-decoration:none; }
.headline { display:flex; gap:16px; flex-wrap:wrap; margin-bottom:14px; }
.headline div { background:#1f2f3d; border-radius:8px; padding:10px 16px; min-width:190px; }
.headline b { display:block; font-size:26px; color:#fff; }
.headline span { font-size:12px; color:#b5c2cc; }
main { padding:8px 32px 32px; max-width:1280px; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:18px 22px; margin:18px 0; }
h2 { margin:0 0 10px; font-size:20px; } h3 { margin:0 0 6px; font-size:15px; } h4 { margin:10px 0 4px; font-size:13px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
table { border-collapse:collapse; margin:8px 0; }
th, td { border-bottom:1px solid var(--line); padding:5px 10px; text-align:left; vertical-align:top; }
th { font-size:13px; color:var(--muted); }
table.compact td, table.compact th { padding:3px 10px; }
tr.total td { font-weight:600; border-top:2px solid var(--fg); }
td.good { color:var(--good); font-weight:600; } td.fair { color:var(--fair); font-weight:600; } td.poor { color:var(--poor); font-weight:600; }
img.sheet { max-width:100%; border-radius:6px; display:block; margin:8px 0 12px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(300px, 1fr)); gap:12px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.card .desc { margin:2px 0 6px; }
.card .stats { color:var(--muted); font-size:13px; margin:0 0 4px; }
.tag { display:inline-block; background:#e8f0f8; color:var(--accent); border-radius:4px; padding:1px 6px; font-size:12px; margin:0 4px 4px 0; }
.thumbs img { width:64px; height:64px; margin:2px; border-radius:3px; }
.study { display:grid; grid-template-columns:260px 1fr; gap:16px; border-top:1px solid var(--line); padding:14px 0; }
.study img { width:260px; height:260px; border-radius:6px; background:#000; }
.study .gt { color:var(--muted); font-size:13px; margin:0; }
.sentences { margin:0; padding-left:20px; } .feats { color:var(--muted); font-size:12px; }
.plots img { max-width:32%; min-width:280px; margin:4px; border:1px solid var(--line); border-radius:6px; background:#fff; }
.note { color:var(--muted); font-size:13px; }
footer { padding:8px 32px 24px; color:var(--muted); font-size:13px; }
)css";

}  // namespace saerad::demo
