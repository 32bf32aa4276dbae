/*
 * Commun — small progressive enhancements. Every page works without this file.
 *
 * Each feature is one function taking the root element to enhance; `enhance()` runs them
 * on the page at load and again on every fragment htmx swaps in (`htmx:load`).
 */
"use strict";

(function () {
  var LABELS = {
    fr: { close: "Fermer ce message", scroll: "Tableau défilant" },
    en: { close: "Dismiss this message", scroll: "Scrollable table" },
  };

  function label(key) {
    var lang = (document.documentElement.lang || "fr").slice(0, 2);
    return (LABELS[lang] || LABELS.fr)[key];
  }

  function each(root, selector, callback) {
    if (root.matches && root.matches(selector)) callback(root);
    root.querySelectorAll(selector).forEach(callback);
  }

  // Forms and buttons with data-confirm="Question ?" ask before going on.
  // Listening on the document in the capture phase runs before htmx's own handlers,
  // so a refusal also stops an htmx request.
  function confirmActions() {
    document.addEventListener(
      "submit",
      function (event) {
        var form = event.target;
        var submitter = event.submitter;
        var question =
          (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
        if (question && !window.confirm(question)) {
          event.preventDefault();
          event.stopPropagation();
        }
      },
      true
    );
    document.addEventListener(
      "click",
      function (event) {
        var link = event.target.closest && event.target.closest("a[data-confirm]");
        if (link && !window.confirm(link.getAttribute("data-confirm"))) {
          event.preventDefault();
          event.stopPropagation();
        }
      },
      true
    );
  }

  // Each flash message gets a close button; the list itself stays a live region.
  function closableMessages(root) {
    each(root, ".messages .message", function (message) {
      if (message.querySelector(".message-close")) return;
      var list = message.closest(".messages");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "message-close";
      button.setAttribute("aria-label", (list && list.dataset.closeLabel) || label("close"));
      button.textContent = "×";
      button.addEventListener("click", function () {
        var main = document.getElementById("main");
        message.remove();
        if (list && !list.querySelector(".message")) list.remove();
        if (main) main.focus();
      });
      message.appendChild(button);
    });
  }

  // Wide tables scroll inside a focusable region instead of widening the page.
  function scrollableTables(root) {
    each(root, "table.table", function (table) {
      if (table.parentElement && table.parentElement.classList.contains("table-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : label("scroll"));
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }

  // A table wider than its box says so in the hint just before it (a .scroll-hint).
  function scrollHints(root) {
    each(root, ".scroll-hint + .table-wrap", function (wrap) {
      var hint = wrap.previousElementSibling;
      function update() {
        hint.hidden = wrap.scrollWidth <= wrap.clientWidth;
      }
      update();
      if (window.ResizeObserver) new ResizeObserver(update).observe(wrap);
    });
  }

  // Buttons marked data-print are hidden without JavaScript; with it they print the page.
  function printButtons(root) {
    each(root, "[data-print]", function (button) {
      if (button.dataset.printReady) return;
      button.dataset.printReady = "1";
      button.hidden = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        window.print();
      });
    });
  }

  // A button with data-copy="element-id" copies that element's text (an API token…).
  function copyButtons(root) {
    if (!navigator.clipboard) return;
    each(root, "[data-copy]", function (button) {
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source) return;
        var text = "value" in source ? source.value : source.textContent;
        navigator.clipboard.writeText(text.trim()).then(function () {
          var done = button.dataset.copied;
          if (!done) return;
          var before = button.textContent;
          button.textContent = done;
          window.setTimeout(function () {
            button.textContent = before;
          }, 2000);
        });
      });
    });
  }

  // The navigation marks the page you are on (exactly) or the section it belongs to.
  function currentPageLinks(root) {
    each(root, ".site-header .nav a[href]", function (link) {
      if (link.hasAttribute("aria-current") || link.origin !== window.location.origin) return;
      var here = window.location.pathname;
      if (link.pathname === here) {
        link.setAttribute("aria-current", "page");
      } else if (link.pathname !== "/" && here.indexOf(link.pathname) === 0) {
        link.setAttribute("aria-current", "true");
      }
    });
  }

  var enhancers = [
    closableMessages,
    scrollableTables,
    scrollHints,
    printButtons,
    copyButtons,
    currentPageLinks,
  ];

  function enhance(root) {
    enhancers.forEach(function (enhancer) {
      enhancer(root);
    });
  }

  // When htmx swaps in a block that says what happened (an element marked
  // data-focus-after-swap, an alert, a status), focus goes there, so keyboard and screen
  // reader users land on the news instead of the top of the page. Only when the swap took
  // the focus away with the old content: a polled count never steals it.
  var FOCUS_AFTER_SWAP = ["[data-focus-after-swap]", "[role='alert']", "[role='status']"];

  function focusAfterSwap(event) {
    var block = event.target;
    if (!block || !block.isConnected || !block.querySelectorAll) return;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected && !block.contains(active)) return;
    var target = null;
    FOCUS_AFTER_SWAP.some(function (selector) {
      var found = [];
      each(block, selector, function (element) {
        if (element.textContent.trim()) found.push(element);
      });
      target = found[0] || null;
      return target;
    });
    if (!target || target === active) return;
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  confirmActions();
  enhance(document);
  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
  document.addEventListener("htmx:afterSettle", focusAfterSwap);
})();

// Join form (members): "3 parts = 150 €" next to the number of shares, as it changes.
// The wording comes translated from the page (data-one / data-many on the <output>).
(function () {
  function sharesTotal() {
    var output = document.querySelector("output[data-shares-total]");
    var input = output && document.getElementById(output.htmlFor.value);
    if (!input || !input.dataset.shareValueCents) return;
    var cents = parseInt(input.dataset.shareValueCents, 10);
    var money = new Intl.NumberFormat(document.documentElement.lang || "fr", {
      style: "currency",
      currency: "EUR",
      minimumFractionDigits: cents % 100 ? 2 : 0,
    });
    function update() {
      var shares = parseInt(input.value, 10);
      if (!(shares > 0) || String(shares) !== input.value.trim()) {
        output.textContent = "";
        return;
      }
      var template = shares === 1 ? output.dataset.one : output.dataset.many;
      output.textContent = template
        .replace("%(shares)s", shares.toLocaleString(document.documentElement.lang || "fr"))
        .replace("%(total)s", money.format((shares * cents) / 100));
    }
    input.addEventListener("input", update);
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sharesTotal);
  } else {
    sharesTotal();
  }
})();
