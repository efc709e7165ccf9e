// The desk's one script: live parts of a page follow the server's
// rebuilds (Server-Sent Events), and forms can be dropped on the upload
// field. Everything shown comes from the server already escaped.
"use strict";
(function () {
  const live = document.getElementById("song");
  if (live && window.EventSource) {
    let shown = Number(live.dataset.the);
    let asking = false;
    let again = false;
    const refresh = async function () {
      if (asking) { again = true; return; }
      asking = true;
      try {
        do {
          again = false;
          const answer = await fetch(live.dataset.song, { cache: "no-store" });
          if (!answer.ok) break;
          const html = await answer.text();
          const x = window.scrollX, y = window.scrollY;
          live.innerHTML = html;
          window.scrollTo(x, y);
          shown = Number(answer.headers.get("x-the")) || shown;
          live.dataset.the = String(shown);
          window.kcCapNhat = Date.now();
          document.dispatchEvent(new CustomEvent("kc-cap-nhat", { detail: shown }));
        } while (again);
      } finally {
        asking = false;
      }
    };
    const events = new EventSource("/su-kien");
    events.addEventListener("doi", function (event) {
      if (Number(event.data) !== shown) refresh();
    });
  }

  const zone = document.querySelector(".tha");
  const input = zone && zone.querySelector("input[type=file]");
  if (zone && input) {
    const label = zone.querySelector("span");
    const show = function () {
      const names = Array.from(input.files).map(function (f) { return f.name; });
      if (names.length) label.textContent = "Đã chọn: " + names.join(", ");
    };
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dang-tha");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dang-tha"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      input.files = event.dataTransfer.files;
      show();
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      const button = form.querySelector("button");
      if (button) { button.disabled = true; button.textContent = "Đang làm…"; }
    });
  });
})();
