// The Heyo demo page: asks /api/whoami who the edge says we are, and shows it.
(async function () {
  const who = document.getElementById("who");
  const status = document.getElementById("status");
  try {
    const res = await fetch("/api/whoami", { headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error("HTTP " + res.status);
    const me = await res.json();
    document.getElementById("email").textContent = me.email || "nobody (no identity headers)";
    document.getElementById("account").textContent = me.account_id || "—";
    who.dataset.state = me.email ? "ok" : "anonymous";
    status.textContent = me.email ? "The edge vouched for you." : "Reached directly, not through the edge.";
    status.className = "status " + (me.email ? "ok" : "");
  } catch (e) {
    status.textContent = "Could not ask /api/whoami: " + e.message;
    status.className = "status bad";
  }
})();
