// Sampling rules page: GetSamplingRules / CreateSamplingRule / UpdateSamplingRule / DeleteSamplingRule.
import { api } from "./common.js";
import { crudPage } from "./crud.js";

async function load() {
  const out = [];
  let token;
  do {
    const page = await api("GetSamplingRules", token ? { NextToken: token } : {});
    out.push(...(page.SamplingRuleRecords || []).map((r) => r.SamplingRule));
    token = page.NextToken;
  } while (token);
  return out.sort((a, b) => a.Priority - b.Priority || a.RuleName.localeCompare(b.RuleName));
}

crudPage({
  noun: "rule",
  form: "rule-form",
  rows: "rules",
  title: "rule-form-title",
  save: "rule-save",
  errorBox: "rule-error",
  key: "RuleName",
  load,
  columns: [
    (r) => r.RuleName, (r) => String(r.Priority), (r) => `${r.ReservoirSize}/s`, (r) => `${(r.FixedRate * 100).toFixed(1)} %`,
    (r) => r.ServiceName, (r) => r.ServiceType, (r) => r.Host, (r) => r.HTTPMethod, (r) => r.URLPath,
  ],
  // The Default rule can only change its rate and reservoir; it cannot be deleted.
  editable: () => true,
  deletable: (r) => r.RuleName !== "Default",
  toForm: (r) => r,
  create: (v) => api("CreateSamplingRule", { SamplingRule: { ...v, Version: 1 } }),
  update: (name, v) => {
    const update = { ...v, RuleName: name };
    if (name === "Default") {
      for (const key of Object.keys(update)) if (!["RuleName", "FixedRate", "ReservoirSize"].includes(key)) delete update[key];
    }
    return api("UpdateSamplingRule", { SamplingRuleUpdate: update });
  },
  remove: (name) => api("DeleteSamplingRule", { RuleName: name }),
});
