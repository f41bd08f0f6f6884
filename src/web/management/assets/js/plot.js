// A small time-series plot on a canvas: value axis with min and max, time axis with a few ticks,
// one line. Keeps at most maxPoints points and the last windowSeconds seconds.

const colors = { line: "#2f6fb0", fill: "rgba(47,111,176,0.10)", axis: "#8795a3", grid: "#e6ebf0",
                 text: "#5d6b7a", bg: "#ffffff" };

export class Plot {
  constructor(canvas, { windowSeconds = 600, maxPoints = 4000 } = {}) {
    this.canvas = canvas;
    this.windowSeconds = windowSeconds;
    this.maxPoints = maxPoints;
    this.points = [];
    this.unitLabel = "";
    this.frame = 0;
    this.resize = () => this.requestDraw();
    window.addEventListener("resize", this.resize);
  }

  dispose() { window.removeEventListener("resize", this.resize); cancelAnimationFrame(this.frame); }

  setPoints(points, label = "") {
    this.points = points.filter((p) => typeof p[1] === "number" && Number.isFinite(p[1]));
    this.unitLabel = label;
    this.requestDraw();
  }

  add(time, value) {
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    const last = this.points[this.points.length - 1];
    if (last && time <= last[0]) return;  // the live stream may repeat what history gave
    this.points.push([time, value]);
    if (this.points.length > this.maxPoints) this.points.splice(0, this.points.length - this.maxPoints);
    this.requestDraw();
  }

  requestDraw() {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600;
    const height = canvas.clientHeight || 240;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = colors.bg;
    g.fillRect(0, 0, width, height);
    g.font = "12px system-ui, sans-serif";

    const left = 64, right = 16, top = 14, bottom = 28;
    const plotW = Math.max(10, width - left - right);
    const plotH = Math.max(10, height - top - bottom);
    const now = Date.now() / 1000;
    const newest = this.points.length ? Math.max(now, this.points[this.points.length - 1][0]) : now;
    const t1 = newest;
    // Show the whole window once it is full; until then, zoom to the values there are (at least
    // a minute), so a fresh machine's first seconds are not a sliver at the right edge.
    const oldest = this.points.length ? this.points[0][0] : t1;
    const span = Math.min(this.windowSeconds, Math.max(60, (t1 - oldest) * 1.05));
    const t0 = t1 - span;
    const shown = this.points.filter((p) => p[0] >= t0);

    g.strokeStyle = colors.axis;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(left, top);
    g.lineTo(left, top + plotH);
    g.lineTo(left + plotW, top + plotH);
    g.stroke();

    if (!shown.length) {
      g.fillStyle = colors.text;
      g.textAlign = "center";
      g.fillText("No values in the last " + Math.round(this.windowSeconds / 60) + " min yet",
                 left + plotW / 2, top + plotH / 2);
      return;
    }
    let min = Infinity, max = -Infinity;
    for (const [, v] of shown) { if (v < min) min = v; if (v > max) max = v; }
    let lo = min, hi = max;
    if (hi === lo) { const pad = Math.abs(hi) * 0.05 || 1; lo -= pad; hi += pad; }
    const pad = (hi - lo) * 0.08;
    lo -= pad; hi += pad;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * plotW;
    const y = (v) => top + plotH - ((v - lo) / (hi - lo)) * plotH;

    // Grid and labels: the true min and max of the shown values, and time ticks.
    g.fillStyle = colors.text;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (const [label, v] of [["max", max], ["min", min]]) {
      g.strokeStyle = colors.grid;
      g.beginPath();
      g.moveTo(left, y(v));
      g.lineTo(left + plotW, y(v));
      g.stroke();
      g.fillText(formatValue(v), left - 6, y(v));
      g.textAlign = "left";
      g.fillText(label, left + 4, y(v) + (label === "max" ? 9 : -9));
      g.textAlign = "right";
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    const step = tickStep(span);
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      g.strokeStyle = colors.axis;
      g.beginPath();
      g.moveTo(x(t), top + plotH);
      g.lineTo(x(t), top + plotH + 4);
      g.stroke();
      const d = new Date(t * 1000);
      const label = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}` +
                    (step < 60 ? `:${String(d.getSeconds()).padStart(2, "0")}` : "");
      g.fillText(label, x(t), top + plotH + 7);
    }

    g.beginPath();
    shown.forEach(([t, v], i) => (i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v))));
    g.strokeStyle = colors.line;
    g.lineWidth = 2;
    g.stroke();
    g.lineTo(x(shown[shown.length - 1][0]), top + plotH);
    g.lineTo(x(shown[0][0]), top + plotH);
    g.closePath();
    g.fillStyle = colors.fill;
    g.fill();
    if (shown.length === 1) {
      g.fillStyle = colors.line;
      g.beginPath();
      g.arc(x(shown[0][0]), y(shown[0][1]), 3, 0, Math.PI * 2);
      g.fill();
    }
  }
}

function tickStep(windowSeconds) {
  for (const step of [10, 30, 60, 120, 300, 600, 1800, 3600]) {
    if (windowSeconds / step <= 8) return step;
  }
  return 7200;
}

function formatValue(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toFixed(a >= 100 ? 1 : 3)).toString();
}
