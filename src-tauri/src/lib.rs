//! The Alcance desktop shell: a Tauri window over `alcance-app`. Commands stay thin.

/// Starts the desktop app.
pub fn run() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("alcance desktop failed to start: {e}");
        std::process::exit(1);
    }
}
