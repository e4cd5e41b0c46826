// Groups page: GetGroups / CreateGroup / UpdateGroup / DeleteGroup.
import { api, listGroups } from "./common.js";
import { crudPage } from "./crud.js";

crudPage({
  noun: "group",
  form: "group-form",
  rows: "groups",
  title: "group-form-title",
  save: "group-save",
  errorBox: "group-error",
  key: "GroupName",
  load: listGroups,
  columns: [
    (g) => g.GroupName,
    (g) => g.FilterExpression || "",
    (g) => (g.InsightsConfiguration && g.InsightsConfiguration.InsightsEnabled ? "enabled" : "off"),
  ],
  editable: (g) => g.GroupName !== "Default",
  deletable: (g) => g.GroupName !== "Default",
  toForm: (g) => ({ GroupName: g.GroupName, FilterExpression: g.FilterExpression || "" }),
  create: (v) => api("CreateGroup", v.FilterExpression ? v : { GroupName: v.GroupName }),
  update: (name, v) => api("UpdateGroup", { GroupName: name, FilterExpression: v.FilterExpression }),
  remove: (name) => api("DeleteGroup", { GroupName: name }),
});
