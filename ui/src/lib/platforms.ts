// Per-platform facts for the connect form and its help text: developer portal, scopes,
// redirect URI (docs: shared/docs/platform-apis.md). Descriptions are in the dictionary.
import type { Key } from "./i18n";

export type PlatformKey = "x" | "facebook" | "instagram" | "whatsapp" | "tiktok";

export type PlatformInfo = {
  key: PlatformKey;
  /** Connecting works in this version. */
  connectable: boolean;
  portal: string;
  scopes: string[];
  redirect: string;
  /** Default loopback port (X needs one fixed and registered). */
  port: number | null;
  needsSecret: boolean;
  help: Key;
};

export const PLATFORMS: PlatformInfo[] = [
  {
    key: "x",
    connectable: true,
    portal: "https://developer.x.com/en/portal/dashboard",
    scopes: ["tweet.read", "users.read", "offline.access"],
    redirect: "http://127.0.0.1:8719/callback",
    port: 8719,
    needsSecret: false,
    help: "help.x",
  },
  {
    key: "instagram",
    connectable: true,
    portal: "https://developers.facebook.com/apps/",
    scopes: ["instagram_business_basic", "instagram_business_manage_insights"],
    redirect: "http://127.0.0.1:<port>/callback",
    port: null,
    needsSecret: true,
    help: "help.instagram",
  },
  {
    key: "facebook",
    connectable: true,
    portal: "https://developers.facebook.com/apps/",
    scopes: ["pages_show_list", "pages_read_engagement", "read_insights"],
    redirect: "http://127.0.0.1:<port>/callback",
    port: null,
    needsSecret: true,
    help: "help.facebook",
  },
  {
    key: "whatsapp",
    connectable: false,
    portal: "https://business.facebook.com/settings/system-users",
    scopes: ["whatsapp_business_management"],
    redirect: "—",
    port: null,
    needsSecret: false,
    help: "help.whatsapp",
  },
  {
    key: "tiktok",
    connectable: true,
    portal: "https://developers.tiktok.com/apps/",
    scopes: ["user.info.basic", "user.info.stats", "video.list"],
    redirect: "http://127.0.0.1:*/callback/",
    port: null,
    needsSecret: true,
    help: "help.tiktok",
  },
];

export const PLATFORM_KEYS: PlatformKey[] = ["x", "facebook", "instagram", "whatsapp", "tiktok"];
