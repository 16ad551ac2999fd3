/* Atelier share pages: per-file uploads with progress on upload links; arrow keys on review pages. */
(function () {
  'use strict';

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }  /* text only: names are never HTML */
    return node;
  }

  function size(bytes) {
    var units = ['bytes', 'KB', 'MB', 'GB'];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i += 1; }
    return i === 0 ? bytes + ' bytes' : bytes.toFixed(1) + ' ' + units[i];
  }

  function setupUpload(form) {
    var input = document.getElementById('files');
    var drop = document.getElementById('drop');
    var list = document.getElementById('file-list');
    var error = document.getElementById('form-error');
    var summary = document.getElementById('summary');
    var queue = [];
    var busy = false;
    var counts = { accepted: 0, refused: 0 };

    function sender() {
      return {
        name: document.getElementById('uploader').value.trim(),
        email: document.getElementById('email').value.trim()
      };
    }

    function showSummary() {
      var parts = [];
      if (counts.accepted) { parts.push(counts.accepted + ' received'); }
      if (counts.refused) { parts.push(counts.refused + ' refused'); }
      summary.textContent = parts.join(' · ');
    }

    function finish(item, ok, text) {
      item.row.classList.add(ok ? 'ok' : 'refused');
      item.bar.style.width = '100%';
      item.status.textContent = text;
      counts[ok ? 'accepted' : 'refused'] += 1;
      showSummary();
      busy = false;
      next();
    }

    function send(item) {
      var who = sender();
      var data = new FormData();
      data.append('uploader', who.name);
      data.append('email', who.email);
      data.append('file', item.file, item.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.dataset.endpoint);
      xhr.setRequestHeader('X-CSRF-Token', form.dataset.csrf);
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) {
          item.bar.style.width = Math.round(100 * e.loaded / e.total) + '%';
          item.status.textContent = Math.round(100 * e.loaded / e.total) + '%';
        }
      });
      xhr.addEventListener('load', function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
        if (xhr.status === 201) {
          finish(item, true, 'Received');
        } else {
          finish(item, false, body.detail || ('Refused (' + xhr.status + ')'));
        }
      });
      xhr.addEventListener('error', function () {
        finish(item, false, 'The connection was lost: try this file again');
      });
      xhr.send(data);
    }

    function next() {
      if (busy || !queue.length) { return; }
      busy = true;
      var item = queue.shift();
      item.status.textContent = 'Sending…';
      send(item);
    }

    function add(files) {
      var who = sender();
      if (!who.name && !who.email) {
        error.textContent = 'Give your name or e-mail first, so the team knows who sent the files.';
        error.hidden = false;
        return;
      }
      error.hidden = true;
      Array.prototype.forEach.call(files, function (file) {
        var row = el('li', 'file');
        var head = el('div', 'file-head');
        head.appendChild(el('span', 'file-name', file.name));
        head.appendChild(el('span', 'muted small', size(file.size)));
        var track = el('div', 'track');
        var bar = el('div', 'bar');
        track.appendChild(bar);
        var status = el('div', 'file-status small', 'Waiting');
        row.appendChild(head);
        row.appendChild(track);
        row.appendChild(status);
        list.appendChild(row);
        queue.push({ file: file, row: row, bar: bar, status: status });
      });
      next();
    }

    input.addEventListener('change', function () { add(input.files); input.value = ''; });
    ['dragenter', 'dragover'].forEach(function (name) {
      drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (e) { add(e.dataTransfer.files); });
    form.addEventListener('submit', function (e) { e.preventDefault(); });
  }

  function setupViewer() {
    document.addEventListener('keydown', function (e) {
      var tag = (e.target && e.target.tagName) || '';
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'VIDEO' || tag === 'AUDIO') { return; }
      var link = document.getElementById(e.key === 'ArrowLeft' ? 'prev' : e.key === 'ArrowRight' ? 'next' : '');
      if (link) { window.location.href = link.href; }
    });
  }

  var uploadForm = document.getElementById('upload-form');
  if (uploadForm) { setupUpload(uploadForm); }
  if (document.querySelector('.viewer')) { setupViewer(); }
}());
