// Builds the phone app into ../static/dist: the bundle (app.js, app.css, Leaflet's images), the shell page,
// and the service worker, which gets the list of files to keep offline and a version hashed from them.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";

const dist = new URL("../static/dist/", import.meta.url).pathname;
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await esbuild.build({
  entryPoints: { app: "src/app.js" },
  bundle: true, format: "esm", minify: true, sourcemap: true, target: ["chrome87", "safari14"],
  outdir: dist, loader: { ".png": "file", ".svg": "file" }, assetNames: "[name]-[hash]", logLevel: "warning",
});
copyFileSync("src/index.html", join(dist, "index.html"));

const files = readdirSync(dist).filter((name) => !name.endsWith(".map")).sort();
const hash = createHash("sha256");
for (const name of files) hash.update(name).update(readFileSync(join(dist, name)));
hash.update(readFileSync("../static/manifest.webmanifest")).update(readFileSync("../static/icon.svg"));
const shell = ["/app/", "/app/manifest.webmanifest", "/app/icon.svg",
  ...files.filter((name) => name !== "index.html").map((name) => `/app/dist/${name}`)];

await esbuild.build({
  entryPoints: ["src/sw.js"], bundle: true, minify: true, outfile: join(dist, "sw.js"), logLevel: "warning",
  define: { BUILD_VERSION: JSON.stringify(hash.digest("hex").slice(0, 16)), SHELL: JSON.stringify(shell) },
});
