// The page: tabs, uploads to the JSON API, and the results drawn with textContent only (a workbook's
// text is data, never markup).
"use strict";

// amounts arrive as exact decimal strings; only the integer part gets thousands separators
function grouped(text) {
  if (text === null || text === undefined) return "—";
  const [whole, frac] = String(text).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac !== undefined ? "." + frac : "");
}

(function () {
  const $ = (id) => document.getElementById(id);
  const WORKBOOK = /\.(xlsx|xlsm|xls|ods|et)$/i;  // what the command line's rollup takes from a folder

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function show(node, on) { node.hidden = !on; }

  function showError(id, message) {
    const node = $(id);
    node.textContent = message || "";
    show(node, Boolean(message));
  }

  function messageOf(data, status) {
    if (data && data.error && data.error.message) return data.error.message;
    if (status === 413) return "上传的文件太大，超过了本机页面的上限。";
    if (status === 403) return "拒绝访问：请使用启动时显示的地址打开本页面。";
    return "请求失败（" + status + "）：请确认本机页面仍在运行。";
  }

  async function postFile(url, file, extra) {
    const form = new FormData();
    form.append("file", file, file.name);
    for (const [k, v] of Object.entries(extra || {})) if (v) form.append(k, v);
    let response;
    try {
      response = await fetch(url, { method: "POST", body: form, credentials: "same-origin" });
    } catch (e) {
      return { ok: false, message: "无法连接本机页面：请确认 selfeval-xl serve 仍在运行。" };
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return response.ok ? { ok: true, data: data } : { ok: false, message: messageOf(data, response.status) };
  }

  // --- tabs -----------------------------------------------------------------------------------------
  const TABS = ["template", "score", "verify", "rollup"];
  function select(name) {
    for (const t of TABS) {
      $("tab-" + t).setAttribute("aria-selected", String(t === name));
      show($("panel-" + t), t === name);
    }
  }
  for (const t of TABS) $("tab-" + t).addEventListener("click", () => select(t));

  function dropZone(zoneId, onFiles) {
    const zone = $(zoneId);
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", async (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      onFiles(await droppedFiles(e.dataTransfer));
    });
  }

  // A dropped folder is walked (where the browser allows), like the folder picker.
  async function droppedFiles(transfer) {
    const entries = [];
    for (const item of Array.from(transfer.items || [])) {
      const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
      if (entry) entries.push(entry);
    }
    if (!entries.length || !entries.some((e) => e.isDirectory)) return Array.from(transfer.files || []);
    const files = [];
    async function walk(entry, prefix) {
      if (entry.isFile) {
        const file = await new Promise((ok, fail) => entry.file(ok, fail));
        files.push({ file: file, path: prefix + file.name, fromFolder: prefix !== "" });
      } else if (entry.isDirectory) {
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
          if (!batch.length) break;
          for (const child of batch) await walk(child, prefix + entry.name + "/");
        }
      }
    }
    for (const entry of entries) await walk(entry, "");
    return files;
  }

  // --- score ----------------------------------------------------------------------------------------
  function percent(rate) {
    if (rate === null || rate === undefined || rate === "") return "—";
    return (Number(rate) * 100).toFixed(2) + "%";
  }

  function row(table, cells, head) {
    const tr = el("tr");
    cells.forEach((c, i) => tr.appendChild(el(head || i === 0 ? "th" : "td", c)));
    table.appendChild(tr);
  }

  function renderScore(d) {
    $("score-unit").textContent = d.unit || "（未填写）";
    $("score-year").textContent = d.year || "（未填写）";
    $("score-profile-name").textContent = d.profile || "";
    $("score-total").textContent = d.total;
    $("score-grade").textContent = d.grade;
    show($("score-provisional"), !d.valid);

    const ex = d.execution || {}, unit = d.money_unit ? "（" + d.money_unit + "）" : "";
    const exec = $("score-execution");
    exec.replaceChildren();
    row(exec, ["全年预算数" + unit, grouped(ex.budget)]);
    row(exec, ["全年执行数" + unit, grouped(ex.executed)]);
    row(exec, ["预算执行率", percent(ex.rate)]);
    row(exec, ["执行率得分", ex.score === null || ex.score === undefined ? "—（按指标计分）" : ex.score + " / " + ex.weight]);

    const levels = $("score-levels");
    levels.replaceChildren();
    row(levels, ["一级指标", "得分", "分值"], true);
    for (const lv of d.levels || []) row(levels, [lv.name, lv.score, lv.weight ?? "—"]);
    row(levels, ["总分", d.total, "100"]);

    const problems = $("score-problems");
    problems.replaceChildren();
    const checks = d.checks || [];
    if (!checks.length) problems.appendChild(el("p", "没有发现问题。", "ok"));
    for (const [severity, title] of [["error", "错误"], ["warning", "警告"]]) {
      const list = checks.filter((c) => c.severity === severity);
      if (!list.length) continue;
      problems.appendChild(el("h4", title + "（" + list.length + " 个）", severity));
      const ul = el("ul", null, "problems " + severity);
      for (const c of list) {
        const li = el("li");
        const where = c.sheet && c.cell ? c.sheet + "!" + c.cell : (c.sheet || "整个工作簿");
        li.appendChild(el("code", where, "where"));
        li.appendChild(el("span", " " + c.message));
        li.title = c.code;
        ul.appendChild(li);
      }
      problems.appendChild(ul);
    }
    if (d.note) problems.appendChild(el("p", "注意：" + d.note, "note"));

    $("score-download").href = d.download;
    const report = $("score-report");
    if (d.report) { report.href = d.report; show(report, true); } else { show(report, false); }
  }

  async function score(file) {
    if (!file) return;
    const result = $("score-result");
    result.removeAttribute("data-state");
    show(result, false);
    showError("score-error", "");
    show($("score-busy"), true);
    const answer = await postFile("/api/score", file, { profile: $("score-profile").value });
    show($("score-busy"), false);
    if (!answer.ok) { showError("score-error", answer.message); return; }
    renderScore(answer.data);
    show(result, true);
    result.setAttribute("data-state", "done");
  }
  $("score-file").addEventListener("change", (e) => { score(e.target.files[0]); e.target.value = ""; });
  dropZone("score-drop", (files) => score(files.length ? (files[0].file || files[0]) : null));

  // --- verify ---------------------------------------------------------------------------------------
  function shown(v) { return v === null || v === undefined || v === "" ? "（空）" : String(v); }

  function renderVerify(d) {
    const box = $("verify-result");
    box.replaceChildren();
    if (!d.scored) {
      box.appendChild(el("p", "文件 " + d.file + " 没有评分记录（未经 selfeval-xl 评分，或评分汇总表已被删除）。", "warn"));
      if (d.total) box.appendChild(el("p", "按当前数据重算：总分 " + d.total + "，等级 " + d.grade + "。"));
      return;
    }
    box.appendChild(el("p", "文件：" + d.file + "（评分于 " + (d.scored_on || "未知日期") + "，口径 " + d.profile + "）"));
    if (d.untouched) {
      box.appendChild(el("p", "评分后未被改动：输入和评分结果与评分时一致。", "ok"));
      return;
    }
    box.appendChild(el("p", "评分后已被改动：" + d.changes.length + " 个输入单元格变化，" +
                        d.mismatches.length + " 项结果不一致。", "bad"));
    if (d.changes.length) {
      const t = el("table", null, "changes");
      row(t, ["单元格", "评分时", "现在"], true);
      for (const c of d.changes) row(t, [c.sheet + "!" + c.cell, shown(c.old), shown(c.new)]);
      box.appendChild(t);
    }
    if (d.mismatches.length) {
      const t = el("table", null, "mismatches");
      row(t, ["项目", "评分时", "现在"], true);
      for (const m of d.mismatches) row(t, [m.item, shown(m.recorded), shown(m.current)]);
      box.appendChild(t);
    }
  }

  async function verify(file) {
    if (!file) return;
    const result = $("verify-result");
    result.removeAttribute("data-state");
    show(result, false);
    showError("verify-error", "");
    show($("verify-busy"), true);
    const answer = await postFile("/api/verify", file);
    show($("verify-busy"), false);
    if (!answer.ok) { showError("verify-error", answer.message); return; }
    renderVerify(answer.data);
    show(result, true);
    result.setAttribute("data-state", "done");
  }
  $("rollup-more").addEventListener("click", () => {
    const table = $("rollup-table"), all = table.classList.toggle("all");
    $("rollup-more").textContent = all ? "只看主要列" : "显示其余 " + table.querySelectorAll("tr:first-child .more").length + " 列";
  });
  $("verify-file").addEventListener("change", (e) => { verify(e.target.files[0]); e.target.value = ""; });
  dropZone("verify-drop", (files) => verify(files.length ? (files[0].file || files[0]) : null));

  // --- rollup ---------------------------------------------------------------------------------------
  const WEAK = new Set(["一般", "较差", "差"]);
  const SCORES = /^(total|typed_total|difference|execution_score|level:.*)$/;

  function cellText(key, value) {
    if (value === null || value === undefined) return "";
    if (key === "rate") return percent(value);
    if (typeof value === "number" && SCORES.test(key)) return value.toFixed(2);
    if (key === "valid") return value === true ? "通过" : value === false ? "未通过" : String(value);
    if (key === "form") return { department: "部门整体支出", project: "项目支出" }[value] || String(value);
    return String(value);
  }

  // The key columns (单位 … 说明) fit a 1366-pixel screen; the others show on demand, as the printed
  // rollup keeps them after the first page.
  function renderRollup(d) {
    const table = $("rollup-table");
    table.replaceChildren();
    const keys = d.columns.map((c) => c[0]);
    const key = new Set(d.key_columns || keys);
    const head = el("tr");
    d.columns.forEach((c) => head.appendChild(el("th", c[1], key.has(c[0]) ? c[0] : c[0] + " more")));
    table.appendChild(head);
    for (const unit of d.units) {
      const tr = el("tr");
      if (!unit.form) tr.className = "unreadable";
      else if ((unit.valid !== true && unit.valid !== "通过") || WEAK.has(unit.grade)) tr.className = "weak";
      for (const k of keys) tr.appendChild(el("td", cellText(k, unit[k]), key.has(k) ? k : k + " more"));
      table.appendChild(tr);
    }
    const more = $("rollup-more");
    table.classList.remove("all");
    more.textContent = "显示其余 " + (keys.length - key.size) + " 列";
    show(more, keys.length > key.size);
    $("rollup-xlsx").href = d.xlsx;
    $("rollup-csv").href = d.csv;
    show($("rollup-links"), true);
    $("rollup-status").textContent = "已汇总 " + d.count + " 个文件（无法读取 " + d.unreadable + " 个，重复提交未采用 " +
      (d.dropped || []).length + " 个）。";
    table.setAttribute("data-state", "done");
  }

  // --- the county's archive (serve --archive): the files last rolled up, added; a year's review ------------
  let lastChosen = [];

  function post(url, form, onDone, errorId) {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status !== 200 || !data) { showError(errorId, messageOf(data, xhr.status)); onDone(null); return; }
      onDone(data);
    });
    xhr.addEventListener("error", () => {
      showError(errorId, "无法连接本机页面：请确认 selfeval-xl serve 仍在运行。");
      onDone(null);
    });
    xhr.send(form);
  }

  $("archive-add").addEventListener("click", () => {
    if (!lastChosen.length) return;
    const form = new FormData();
    for (const i of lastChosen) { form.append("file", i.file, i.path); form.append("mtime", String(i.file.lastModified || "")); }
    showError("archive-error", "");
    $("archive-add").disabled = true;
    $("archive-status").textContent = "正在评分并存入 " + lastChosen.length + " 个文件……";
    post("/api/archive/add", form, (d) => {
      $("archive-add").disabled = false;
      $("archive-status").textContent = d ? "已存入 " + d.stored + " 份（其中无法读取 " + d.unreadable.length +
        " 份，已记下原因），库中已有的 " + d.already + " 份未重复存入。" : "";
      $("archive-status").setAttribute("data-state", d ? "done" : "failed");
    }, "archive-error");
  });

  $("archive-review").addEventListener("click", () => {
    const form = new FormData();
    form.append("year", $("archive-year").value);
    if ($("archive-sample").value) form.append("sample", $("archive-sample").value);
    if ($("archive-seed").value) form.append("seed", $("archive-seed").value);
    const table = $("archive-table");
    table.replaceChildren();
    table.removeAttribute("data-state");
    show($("archive-links"), false);
    showError("archive-error", "");
    post("/api/archive/review", form, (d) => {
      if (!d) return;
      const head = el("tr");
      ["序号", "单位名称", "风险分", "理由", "重算总分", "上年总分", "等级", "上年等级"].forEach((t) => head.appendChild(el("th", t)));
      table.appendChild(head);
      const picked = d.sample ? d.sample.units : d.units;
      for (const u of picked) {
        const tr = el("tr");
        [u.rank, u.unit, u.risk, u.reasons.join("；"), u.total, u.last_total, u.grade, u.last_grade]
          .forEach((v) => tr.appendChild(el("td", v === null || v === undefined ? "" : String(v))));
        table.appendChild(tr);
      }
      $("archive-xlsx").href = d.xlsx;
      show($("archive-links"), true);
      table.setAttribute("data-state", "done");
    }, "archive-error");
  });

  // items: File objects, or {file, path, fromFolder} from a folder; a folder keeps only workbooks.
  function rollup(items) {
    const chosen = items.map((i) => (i instanceof File ? { file: i, path: i.webkitRelativePath || i.name,
      fromFolder: Boolean(i.webkitRelativePath) } : i))
      .filter((i) => !i.fromFolder || (WORKBOOK.test(i.file.name) && !i.file.name.startsWith(".~lock")));
    const table = $("rollup-table"), progress = $("rollup-progress");
    table.removeAttribute("data-state");
    table.replaceChildren();
    show($("rollup-links"), false);
    showError("rollup-error", "");
    if (!chosen.length) { showError("rollup-error", "没有找到任何工作簿（.xlsx/.xlsm/.xls/.ods）：请检查所选的文件或文件夹。"); return; }
    lastChosen = chosen;
    $("archive-add").disabled = false;
    const form = new FormData();
    for (const i of chosen) { form.append("file", i.file, i.path); form.append("mtime", String(i.file.lastModified || "")); }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/rollup");
    progress.value = 0;
    show(progress, true);
    $("rollup-status").textContent = "正在上传 " + chosen.length + " 个文件……";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.upload.addEventListener("load", () => {
      progress.removeAttribute("value");  // indeterminate while the server reads the workbooks
      $("rollup-status").textContent = "已上传，正在读取 " + chosen.length + " 个文件……";
    });
    xhr.addEventListener("load", () => {
      progress.value = 100;
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status !== 200 || !data) {
        $("rollup-status").textContent = "";
        showError("rollup-error", messageOf(data, xhr.status));
        return;
      }
      renderRollup(data);
    });
    xhr.addEventListener("error", () => {
      $("rollup-status").textContent = "";
      showError("rollup-error", "无法连接本机页面：请确认 selfeval-xl serve 仍在运行（或上传的内容超过了上限）。");
    });
    xhr.send(form);
  }
  $("rollup-files").addEventListener("change", (e) => { rollup(Array.from(e.target.files)); e.target.value = ""; });
  $("rollup-folder").addEventListener("change", (e) => { rollup(Array.from(e.target.files)); e.target.value = ""; });
  dropZone("rollup-drop", (files) => rollup(files));

  // --- start ----------------------------------------------------------------------------------------
  fetch("/api/info", { credentials: "same-origin" }).then((r) => r.json()).then((info) => {
    const select = $("score-profile");
    for (const p of info.profiles || []) {
      const option = el("option", p.name + "：" + p.title);
      option.value = p.name;
      select.appendChild(option);
    }
    $("score-limit").textContent = "每个文件不超过 " + info.max_file_mb + " MB。";
    show($("archive-box"), Boolean(info.archive));
    $("archive-year").value = String(new Date().getFullYear() - 1);
    $("footer").textContent = "selfeval-xl " + info.version + " · 每个文件不超过 " + info.max_file_mb +
      " MB，每次上传不超过 " + info.max_request_mb + " MB";
  }).catch(() => {});
  select(location.hash === "#score" ? "score" : location.hash === "#verify" ? "verify"
    : location.hash === "#rollup" ? "rollup" : "template");
})();
