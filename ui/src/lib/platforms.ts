// Per-platform facts for the connect form and its help text: developer portal, scopes,
// redirect URI (docs: shared/docs/platform-apis.md). Descriptions are in the dictionary.
import type { Key } from "./i18n";

export type PlatformKey = "x" | "facebook" | "instagram" | "whatsapp" | "tiktok";

export type PlatformInfo = {
  key: PlatformKey;
  /** How an owned account connects: an OAuth 2.0 + PKCE browser sign-in, or a pasted
   *  access token (WhatsApp Business system-user token + WABA id, `connectWhatsapp`). */
  method: "oauth" | "token";
  portal: string;
  /** OAuth scopes, or the permissions the pasted token needs. */
  scopes: string[];
  /** OAuth redirect URI to register (`"—"` for token connections). */
  redirect: string;
  /** Default loopback port (X needs one fixed and registered). */
  port: number | null;
  needsSecret: boolean;
  help: Key;
};

export const PLATFORMS: PlatformInfo[] = [
  {
    key: "x",
    method: "oauth",
    portal: "https://developer.x.com/en/portal/dashboard",
    scopes: ["tweet.read", "users.read", "offline.access"],
    redirect: "http://127.0.0.1:8719/callback",
    port: 8719,
    needsSecret: false,
    help: "help.x",
  },
  {
    key: "instagram",
    method: "oauth",
    portal: "https://developers.facebook.com/apps/",
    scopes: ["instagram_business_basic", "instagram_business_manage_insights"],
    redirect: "http://127.0.0.1:<port>/callback",
    port: null,
    needsSecret: true,
    help: "help.instagram",
  },
  {
    key: "facebook",
    method: "oauth",
    portal: "https://developers.facebook.com/apps/",
    scopes: ["pages_show_list", "pages_read_engagement", "read_insights"],
    redirect: "http://127.0.0.1:<port>/callback",
    port: null,
    needsSecret: true,
    help: "help.facebook",
  },
  {
    key: "whatsapp",
    method: "token",
    portal: "https://business.facebook.com/settings/system-users",
    scopes: ["whatsapp_business_management", "whatsapp_business_messaging"],
    redirect: "—",
    port: null,
    needsSecret: false,
    help: "help.whatsapp",
  },
  {
    key: "tiktok",
    method: "oauth",
    portal: "https://developers.tiktok.com/apps/",
    scopes: ["user.info.basic", "user.info.stats", "video.list"],
    redirect: "http://127.0.0.1:*/callback/",
    port: null,
    needsSecret: true,
    help: "help.tiktok",
  },
];

export const PLATFORM_KEYS: PlatformKey[] = ["x", "facebook", "instagram", "whatsapp", "tiktok"];
