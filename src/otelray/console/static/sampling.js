// Sampling rules page: GetSamplingRules / CreateSamplingRule / UpdateSamplingRule / DeleteSamplingRule.
import { api } from "./common.js";
import { crudPage } from "./crud.js";

async function pages(operation, key) {
  const out = [];
  let token;
  do {
    const page = await api(operation, token ? { NextToken: token } : {});
    out.push(...(page[key] || []));
    token = page.NextToken;
  } while (token);
  return out;
}

// Rules with the statistics SDKs reported for them (GetSamplingStatisticSummaries: the last hour).
async function load() {
  const [records, summaries] = await Promise.all([
    pages("GetSamplingRules", "SamplingRuleRecords"),
    pages("GetSamplingStatisticSummaries", "SamplingStatisticSummaries"),
  ]);
  const totals = new Map();
  for (const s of summaries) {
    const t = totals.get(s.RuleName) || { requests: 0, sampled: 0, borrowed: 0 };
    t.requests += s.RequestCount || 0;
    t.sampled += s.SampledCount || 0;
    t.borrowed += s.BorrowCount || 0;
    totals.set(s.RuleName, t);
  }
  const rules = records.map((r) => ({ ...r.SamplingRule, stats: totals.get(r.SamplingRule.RuleName) }));
  return rules.sort((a, b) => a.Priority - b.Priority || a.RuleName.localeCompare(b.RuleName));
}

const stat = (key) => (r) => (r.stats ? String(r.stats[key]) : "–");

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
    stat("requests"), stat("sampled"), stat("borrowed"),
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
