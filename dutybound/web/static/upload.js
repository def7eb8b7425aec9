// Upload an inventory with a progress bar: the form is sent by XMLHttpRequest, whose upload
// progress events move the <progress> element, and the page the server answers with is then
// shown (the result page after its redirect, or the form again with the file's problems).
// Without this script the form posts as any form does and works just the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var bar = document.getElementById(form.getAttribute("data-upload-progress"));
  var status = document.getElementById("upload-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = e.total;
      bar.value = e.loaded;
      if (status) { status.textContent = Math.round(100 * e.loaded / e.total) + " %"; }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = bar.max;  // sent: the server now reads and evaluates it
      if (status) { status.textContent = status.getAttribute("data-evaluating") || ""; }
    });
    xhr.addEventListener("load", function () {
      var landed = xhr.responseURL || "";
      if (xhr.status === 200 && landed && landed.indexOf(form.action) !== 0) {
        window.location.assign(landed);  // the result page the server redirected to
        return;
      }
      document.open();  // the form again, with the file's problems (422), or a refusal
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      if (status) { status.textContent = status.getAttribute("data-failed") || ""; }
    });
    var box = document.getElementById("upload-box");
    if (box) { box.hidden = false; }
    if (button) { button.disabled = true; }
    xhr.send(new FormData(form));
  });
}());
