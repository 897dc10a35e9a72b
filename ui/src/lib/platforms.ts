// The platforms, as the backend's registry describes them (`platforms` command: key, label,
// connect form, help, portal, scopes, redirect, port). Nothing here re-declares the list:
// colours are in app.css (`.dot.platform-<key>`, `.chip.platform-<key>`), translations of
// the help in i18n.ts (`platformHelp`).
import { commands, type Platform, type PlatformInfo } from "./bindings";
import { call } from "./api";
import { platformHelp } from "./i18n";
import { ui } from "./ui.svelte";

export type { Platform, PlatformInfo };

let loading: Promise<PlatformInfo[]> | null = null;

/** Every platform in display order, asked once from the backend (asked again after a failure). */
export function loadPlatforms(): Promise<PlatformInfo[]> {
  if (!loading) {
    loading = call(commands.platforms()).catch((e: unknown) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

/** The connect help of `info` in the UI language; English (the registry's text) when it
 *  has no translation. */
export function helpText(info: PlatformInfo): string {
  return ui.lang === "en" ? info.help : (platformHelp[ui.lang][info.key] ?? info.help);
}
