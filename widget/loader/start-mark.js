// Imported first, so that it runs before even the bundled glue's top-level
// code: the widget-load benchmark measures from this mark.
performance.mark('upfront:loader-start');
