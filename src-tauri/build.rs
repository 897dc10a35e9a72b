//! Tauri's build step. `tauri.conf.json` embeds `ui/dist` (built by `npm run build` in
//! `ui/`); when it is missing (a Rust-only checkout without Node.js) a placeholder page
//! is written so the workspace still builds, and a warning says how to get the real UI.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    if !dist.join("index.html").exists() {
        println!("cargo:warning=ui/dist is missing: run `npm ci && npm run build` in ui/ for the real UI");
        let page = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Alcance</title>\
                    <body><h1>Alcance</h1><p>The UI was not built: run <code>npm ci &amp;&amp; npm run build</code> \
                    in <code>ui/</code>, then rebuild.</p></body></html>";
        if let Err(e) = std::fs::create_dir_all(&dist).and_then(|_| std::fs::write(dist.join("index.html"), page)) {
            println!("cargo:warning=could not write a placeholder ui/dist: {e}");
        }
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
