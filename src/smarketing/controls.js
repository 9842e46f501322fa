// The course's controls in the browser (anywidget): native HTML controls, so that a screen reader and the
// keyboard get what the eye gets. A slider is an <input type="range"> named by its visible <label>, whose
// aria-valuetext is the value as the readout shows it ("52%", "87,500", "2 h"); a choice is a group of radio
// buttons in a <fieldset> named by its <legend>, the selected one checked. The readout is text, not a field:
// there is nothing to type that could be read in another unit.

// Each control's module is evaluated on its own (anywidget), so a counter would restart at each: ids are random.
const uniqueId = (prefix) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

function grouped(number) {
  // As Python's f"{n:,}": the course's numbers have comma thousands separators in both editions.
  const [whole, fraction] = String(number).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + digits + (fraction ? "." + fraction : "");
}

function decimals(step) {
  const text = String(step);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

function valueText(model, position) {
  const labels = model.get("labels");
  if (labels.length) return labels[position] ?? "";
  const value = Number(position);
  if (model.get("percent")) return (value * 100).toFixed(Math.max(decimals(model.get("step")) - 2, 0)) + "%";
  return grouped(value.toFixed(decimals(model.get("step"))));
}

function renderSlider({ model, el }) {
  const id = uniqueId("smarketing-control");
  el.classList.add("smarketing-slider");
  const label = document.createElement("label");
  label.htmlFor = id;
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  const readout = document.createElement("span");
  readout.className = "smarketing-readout";
  readout.setAttribute("aria-hidden", "true"); // the slider itself announces the same text
  el.append(label, input, readout);

  const labels = () => model.get("labels");
  const position = () => (labels().length ? model.get("index") : model.get("value"));
  function draw() {
    label.textContent = model.get("description");
    if (labels().length) {
      input.min = 0;
      input.max = labels().length - 1;
      input.step = 1;
    } else {
      input.min = model.get("min");
      input.max = model.get("max");
      input.step = model.get("step");
    }
    input.value = position();
    show(position());
  }
  function show(at) {
    const text = valueText(model, at);
    readout.textContent = text;
    input.setAttribute("aria-valuetext", text);
  }
  input.addEventListener("input", () => {
    const at = Number(input.value);
    show(at);
    model.set(labels().length ? "index" : "value", at);
    model.save_changes();
  });
  model.on("change", draw);
  draw();
  return () => model.off("change", draw);
}

function renderChoice({ model, el }) {
  const name = uniqueId("smarketing-choice");
  el.classList.add("smarketing-choice");
  const fieldset = document.createElement("fieldset");
  const legend = document.createElement("legend");
  fieldset.append(legend);
  el.append(fieldset);
  const radios = [];
  function draw() {
    legend.textContent = model.get("description");
    fieldset.querySelectorAll("label").forEach((node) => node.remove());
    radios.length = 0;
    model.get("labels").forEach((text, index) => {
      const option = document.createElement("label");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = name;
      radio.value = String(index);
      radio.addEventListener("change", () => {
        if (!radio.checked) return;
        model.set("index", index);
        model.save_changes();
      });
      option.append(radio, document.createTextNode(text));
      fieldset.append(option);
      radios.push(radio);
    });
    check();
  }
  // Only the checked radio changes when the selection does: rebuilding would move the keyboard's focus away.
  function check() {
    radios.forEach((radio, index) => { radio.checked = index === model.get("index"); });
  }
  const listeners = [["change:labels", draw], ["change:description", draw], ["change:index", check]];
  listeners.forEach(([event, listener]) => model.on(event, listener));
  draw();
  return () => listeners.forEach(([event, listener]) => model.off(event, listener));
}

function render(context) {
  return context.model.get("kind") === "choice" ? renderChoice(context) : renderSlider(context);
}

export default { render };
