/* The reader's theme (light or dark; none: the system's), applied before the page is painted. */
try {
  var theme = localStorage.getItem("sitegen-theme");
  if (theme === "light" || theme === "dark") document.documentElement.setAttribute("data-theme", theme);
} catch (error) { /* storage refused: the system's theme */ }
