// The announcement form's placeholders (差し込み項目): each listed token becomes a button that
// inserts it at the cursor of the body. Without JavaScript the list stays plain text to copy.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".placeholder-insert[data-insert]").forEach(function (item) {
    var target = document.getElementById(item.dataset.target);
    if (!target) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "placeholder-button";
    button.innerHTML = item.innerHTML;
    button.addEventListener("click", function () {
      var text = item.dataset.insert;
      var start = target.selectionStart, end = target.selectionEnd;
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + text.length, start + text.length);
    });
    item.replaceWith(button);
  });
});
