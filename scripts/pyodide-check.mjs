// What of potentiel can be checked under real Pyodide without numpy and pandas (their Pyodide
// builds come from Pyodide's CDN, see docs/decisions.md): the import hook that xlwings Lite's
// main.py uses, and the analysis' fallback when no thread can start.
//
//   npm pack pyodide@0.29.3 && tar xzf pyodide-0.29.3.tgz      # gives ./package
//   node scripts/pyodide-check.mjs ./package
//
// Prints one line: Python version, the finder, results, and the message for a module not bundled.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const pyodideDir = resolve(process.argv[2] ?? "package");
const repo = resolve(new URL(".", import.meta.url).pathname, "..");
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
const py = await loadPyodide({ indexURL: `${pyodideDir}/` });
const read = (path) => readFileSync(`${repo}/${path}`, "utf8");

py.globals.set("bundle_source", read("addin/template_maker/bundle.py"));
py.globals.set("sources", JSON.stringify({
  "addin": [true, ""],
  "addin.core": [true, read("addin/core/__init__.py")],
  "addin.core.parallel": [false, read("addin/core/parallel.py")],
  "addin.errors": [false, read("addin/errors.py")],
}));
console.log(py.runPython(`
import json, sys, threading, traceback
seen = [sys.version.split()[0]]
try:
    threading.Thread(target=lambda: None).start()
    seen.append("a thread started")
except RuntimeError as error:
    seen.append(f"Thread.start: RuntimeError({error})")
hook = {}
exec(bundle_source, hook)
hook["install"]({"addin"}, {name: tuple(v) for name, v in json.loads(sources).items()})
from addin.core import parallel
from addin.errors import InputError
seen.append(f"{type(sys.meta_path[0]).__name__} serves {parallel.__file__}")
parallel.CORES = 2  # as on a desktop: the threads are tried, and refused
seen.append(repr(parallel.in_parallel(lambda: 1, lambda: "two", lambda: [3])))
def bad():
    raise InputError("from a step")
try:
    parallel.in_parallel(lambda: 1, bad)
except InputError as error:
    shown = "addin/core/parallel.py" in traceback.format_exc()
    seen.append(f"raised '{error}', traceback shows bundled lines: {shown}")
try:
    import addin.workbook
except ModuleNotFoundError as error:
    seen.append(str(error))
" | ".join(seen)
`));
