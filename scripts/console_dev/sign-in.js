// Dev sign-in (local stack only): mint a token for a role and a unit, keep it in this
// tab's sessionStorage where the console reads it, and go back to the console.
const params = new URLSearchParams(window.location.search);
const status = document.getElementById("status");
const unit = document.getElementById("unit");
const sub = document.getElementById("sub");
document.getElementById("expired").hidden = params.get("expired") !== "1";

function fail(message) {
  status.replaceChildren();
  const box = document.createElement("div");
  box.className = "error";
  box.setAttribute("role", "alert");
  box.textContent = message;
  status.append(box);
}

async function loadUnits() {
  const response = await fetch("/dev/units");
  const data = await response.json();
  if (!response.ok) {
    fail(data.error ? data.error.message : `HTTP ${response.status}`);
    return;
  }
  const groups = new Map();
  for (const item of data.items) {
    if (!groups.has(item.level)) groups.set(item.level, []);
    groups.get(item.level).push(item);
  }
  for (const [level, items] of groups) {
    const group = document.createElement("optgroup");
    group.label = level;
    for (const item of items) {
      const option = document.createElement("option");
      option.value = item.unit_id;
      option.textContent = `${item.name} (${item.unit_id})`;
      group.append(option);
    }
    unit.append(group);
  }
}

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const role = new FormData(event.target).get("role");
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role, unit_id: unit.value || null, sub: sub.value.trim() || null }),
  });
  const data = await response.json();
  if (!response.ok) {
    fail(data.error ? data.error.message : `HTTP ${response.status}`);
    return;
  }
  sessionStorage.setItem("kg.token", data.id_token);
  sessionStorage.removeItem("kg.expired");
  const next = params.get("next") || "#/";
  window.location.assign(`/${next.startsWith("#") ? next : "#/"}`);
});

loadUnits().catch((error) => fail(String(error)));
