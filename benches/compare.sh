#!/usr/bin/env bash
# Side by side, on the same Markdown the tool produced for the bundled
# sample: the tool's DOCX and PDF writers against pandoc (2.17 from Debian;
# 3.x from the PyPI package pypandoc_binary when installed) with
# wkhtmltopdf, and against typst (PyPI package `typst`) compiling the same
# report converted to Typst by pandoc 3. Needs hyperfine and pandoc
# (apt-get install hyperfine pandoc wkhtmltopdf; pip install typst pypandoc_binary).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cargo build --release -q
kc=target/release/khuyencong
"$kc" build --output "$work/out" > /dev/null
md="$work/out/bao-cao-khuyen-cong-2023.md"
# pandoc reads YAML front matter only: hand it the body without the +++ block.
awk 'BEGIN{n=0} /^\+\+\+$/ && n<2 {n++; next} n>=2' "$md" > "$work/body.md"

runs=${RUNS:-20}
hf() { hyperfine -N -w 3 -r "$runs" --export-json "$work/$1.json" "${@:2}" > /dev/null; python3 - "$work/$1.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['mean']*1000:9.1f} ms ± {r['stddev']*1000:5.1f}  {r['command']}")
PY
}

echo "== DOCX (Markdown → .docx) =="
hf docx "$kc render $md --format docx --output $work/kc" "pandoc $work/body.md -o $work/pandoc.docx"
pandoc3=$(python3 -c 'import pypandoc; print(pypandoc.get_pandoc_path())' 2>/dev/null || true)
[ -n "$pandoc3" ] && hf docx3 "$pandoc3 $work/body.md -o $work/pandoc3.docx"

echo "== PDF (Markdown → .pdf) =="
hf pdf "$kc render $md --format pdf --output $work/kc"
command -v wkhtmltopdf > /dev/null && hf pdfw "pandoc $work/body.md --pdf-engine=wkhtmltopdf -o $work/pandoc.pdf"
if [ -n "$pandoc3" ] && python3 -c 'import typst' 2>/dev/null; then
  hf typ "$pandoc3 $work/body.md -t typst -o $work/report.typ"
  python3 - "$work/report.typ" "$runs" <<'PY'
import sys, time, typst
src, runs = sys.argv[1], int(sys.argv[2])
typst.compile(src, output=src + ".pdf")  # warm-up: fonts, cache
times = []
for _ in range(runs):
    t = time.perf_counter(); typst.compile(src, output=src + ".pdf"); times.append(time.perf_counter() - t)
times.sort()
print(f"{sum(times)/len(times)*1000:9.1f} ms (median {times[len(times)//2]*1000:.1f})  typst {typst.__version__} compile alone (in-process, fonts warm)")
PY
fi
echo "== whole build: JSON → .md + .docx + .pdf + manifest =="
hf all "$kc build --output $work/all"
rm -rf "$work"
