"""Wall time against fleet size, both axes log scale, from the JSON files of
`scripts/bench --json` (one file per fleet size, any tools in each).

    python chart.py OUT.png RESULT.json...

One line per tool and kind of run (first: a fresh fleet, second: the
idempotent run right after), at each size the median wall time; where two
files measured the same tool at the same size, the first file named wins.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "runbook": "#1f6feb",
    "pyinfra": "#d97706",
    "floor": "#6b7280",
    "ansible-playbook": "#b91c1c",
}
LABEL = {"floor": "one ssh script per host (floor)"}


def main(out, paths):
    series = {}
    machine = set()
    for path in paths:
        with open(path) as file:
            document = json.load(file)
        machine.add(f"{document.get('cpus', '?')} CPUs")
        for median in document["medians"]:
            if median.get("wall_s") is None:
                continue
            key = (median["tool"], median["kind"])
            series.setdefault(key, {}).setdefault(document["hosts"], median["wall_s"])
    if not series:
        sys.exit("no medians in " + ", ".join(paths))

    figure, axes = plt.subplots(figsize=(9, 5.5), dpi=120)
    for (tool, kind), points in sorted(series.items()):
        sizes = sorted(points)
        axes.plot(
            sizes,
            [points[size] for size in sizes],
            marker="o" if kind == "first" else "s",
            linestyle="-" if kind == "first" else "--",
            color=STYLE.get(tool, "#000000"),
            label=f"{LABEL.get(tool, tool)}, {kind} run",
        )
    sizes = sorted({size for points in series.values() for size in points})
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
    axes.minorticks_off()
    axes.set_xlabel("hosts")
    axes.set_ylabel("wall time, s (median)")
    axes.set_title(
        "The twelve-task playbook on lab hosts (real sshd), " + ", ".join(sorted(machine))
    )
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(out)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: chart.py OUT.png RESULT.json...")
    main(sys.argv[1], sys.argv[2:])
