// Shared list + form editing for the sampling-rules and groups pages (create, edit, delete through
// the X-Ray API; every API error is shown next to the form).
import { clear, el, setStatus } from "./common.js";

// Read a form's named inputs into an object, numbers for type=number inputs.
export function formValues(form) {
  const out = {};
  for (const input of form.querySelectorAll("input[name]")) {
    if (input.disabled) continue;
    out[input.name] = input.type === "number" ? Number(input.value) : input.value;
  }
  return out;
}

export function fillForm(form, values) {
  for (const input of form.querySelectorAll("input[name]")) {
    if (values[input.name] !== undefined) input.value = String(values[input.name]);
  }
}

// Wire a list page: `spec` = {noun, form, rows, title, save, errorBox, key, load, columns, editable,
// deletable, toForm, create, update, remove}.
export function crudPage(spec) {
  let editing = null;
  const form = document.getElementById(spec.form);
  const errorBox = document.getElementById(spec.errorBox);
  const title = document.getElementById(spec.title);
  const save = document.getElementById(spec.save);
  const keyInput = form.querySelector(`input[name="${spec.key}"]`);

  const reset = () => {
    editing = null;
    keyInput.disabled = false;
    title.textContent = `Create ${spec.noun}`;
    save.textContent = "Create";
    errorBox.hidden = true;
  };
  const showError = (err) => {
    errorBox.textContent = `${err.code}: ${err.message}`;
    errorBox.hidden = false;
  };

  async function refresh() {
    let items;
    try {
      items = await spec.load();
    } catch (err) {
      setStatus(`${err.code}: ${err.message}`, true);
      return;
    }
    const body = clear(document.getElementById(spec.rows));
    for (const item of items) {
      const name = item[spec.key];
      const actions = el("td", { className: "actions" });
      if (spec.editable(item)) actions.append(el("button", { type: "button", className: "edit", on: { click: () => edit(item) } }, "Edit"));
      if (spec.deletable(item)) {
        // Two clicks instead of a confirm() dialog: the second click within 5 s deletes.
        const button = el("button", { type: "button", className: "delete" }, "Delete");
        button.addEventListener("click", () => {
          if (button.dataset.armed) return remove(name);
          button.dataset.armed = "1";
          button.textContent = "Confirm delete";
          setTimeout(() => { delete button.dataset.armed; button.textContent = "Delete"; }, 5000);
          return null;
        });
        actions.append(button);
      }
      body.append(el("tr", { dataset: { name } }, spec.columns.map((c) => el("td", {}, c(item))), actions));
    }
    setStatus(`${items.length} ${spec.noun}${items.length === 1 ? "" : "s"}`);
  }

  function edit(item) {
    editing = item[spec.key];
    fillForm(form, spec.toForm(item));
    keyInput.disabled = true;
    title.textContent = `Edit ${spec.noun} ${editing}`;
    save.textContent = "Save";
    errorBox.hidden = true;
    form.scrollIntoView();
  }

  async function remove(name) {
    try {
      await spec.remove(name);
    } catch (err) {
      setStatus(`${err.code}: ${err.message}`, true);
      return;
    }
    if (editing === name) form.reset();
    await refresh();
  }

  form.addEventListener("reset", () => setTimeout(reset));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    try {
      if (editing === null) await spec.create(values);
      else await spec.update(editing, values);
    } catch (err) {
      showError(err);
      return;
    }
    form.reset();
    await refresh();
  });
  reset();
  return refresh();
}
