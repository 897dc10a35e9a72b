import { describe, expect, it } from "vitest";
import { en, pt, platformHelp, translate, dictionaries, type Key } from "./i18n";
import { platforms } from "../test/fixtures";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the i18n dictionaries", () => {
  it("have the same keys in English and Brazilian Portuguese", () => {
    expect(Object.keys(pt).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(dictionaries)).toEqual(["en", "pt-BR"]);
  });

  it("have no empty strings and the same placeholders per key", () => {
    for (const key of Object.keys(en) as Key[]) {
      expect(en[key].trim(), key).not.toBe("");
      expect(pt[key].trim(), key).not.toBe("");
      expect(placeholders(pt[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("are really translated (navigation, KPIs, actions differ)", () => {
    const keys: Key[] = ["nav.dashboard", "nav.posts", "kpi.followers", "sync.now", "exports.button", "settings.theme.dark"];
    for (const key of keys) expect(pt[key], key).not.toBe(en[key]);
    expect(translate("pt-BR", "nav.dashboard")).toBe("Painel");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "demo.collect", { done: 3, total: 90 })).toBe("Collecting day 3 of 90");
    expect(translate("pt-BR", "demo.collect", { done: 3, total: 90 })).toBe("Coletando o dia 3 de 90");
    expect(translate("en", "demo.collect", { done: 3 })).toBe("Collecting day 3 of {total}");
  });
});

describe("the platforms' connect help", () => {
  it("is translated for every platform the registry lists", () => {
    expect(Object.keys(platformHelp["pt-BR"]).sort()).toEqual(platforms().map((p) => p.key).sort());
  });
});
