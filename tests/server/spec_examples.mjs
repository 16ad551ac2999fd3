// The JavaScript examples of spec/assets-api-v2.txt, run by node 20 against a live server.
// The spec's code is kept as written (TypeScript annotations dropped); only `fetch` is
// wrapped so its relative URLs resolve against the server, as in a page served from it.
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const BASE_URL = process.env.BASE_URL;
const token = process.env.TOKEN;
const fetch = (url, init) => globalThis.fetch(new URL(url, BASE_URL), init);
// Node 20 has a global File; older ones keep it in node:buffer.
const FileClass = globalThis.File ?? (await import("node:buffer")).File;
const fileFrom = (path, type) => new FileClass([readFileSync(path)], basename(path), { type });
const log = [];
const console = { log: (line) => log.push(line) };

// --- Upload example (JavaScript/Fetch) ---------------------------------------------------
async function uploadExample(fileInput) {
  const formData = new FormData();
  formData.append('file', fileInput.files[0]);
  formData.append('clientId', process.env.CLIENT_ID);
  formData.append('name', 'Company Logo');

  const response = await fetch('/api/v2/upload-asset', {
    method: 'POST',
    headers: {
      'Authorization': `Bearer ${token}`
    },
    body: formData
  });

  const asset = await response.json();
  return { status: response.status, asset };
}

// --- Type guard ----------------------------------------------------------------------------
function isVideoAsset(asset) {
  return asset.type === 'video';
}

// --- Migration guide: uploadClientLogo ------------------------------------------------------
async function uploadClientLogo(clientId, file) {
  const formData = new FormData();
  formData.append('file', file);
  formData.append('clientId', clientId);
  formData.append('name', 'Company Logo');

  const response = await fetch('/api/v2/upload-asset', {
    method: 'POST',
    headers: { 'Authorization': `Bearer ${token}` },
    body: formData
  });

  const asset = await response.json();

  if (asset.type === 'image') {
    console.log(`Logo uploaded: ${asset.width}x${asset.height}`);
  }

  return asset;
}

// --- uploadCampaignVideo --------------------------------------------------------------------
async function uploadCampaignVideo(campaignId, file) {
  const formData = new FormData();
  formData.append('file', file);
  formData.append('campaignId', campaignId);

  const response = await fetch('/api/v2/upload-asset', {
    method: 'POST',
    headers: { 'Authorization': `Bearer ${token}` },
    body: formData
  });

  const asset = await response.json();

  if (asset.type === 'video') {
    console.log(`Video uploaded: ${asset.duration}s`);
    console.log(`Thumbnail available at: ${asset.thumbnailUrl}`);
  }

  return asset;
}

// --- loadClientAssets -------------------------------------------------------------------------
async function loadClientAssets(clientId) {
  const response = await fetch(
    `/api/v2/assets?clientId=${clientId}&asset_type=image`,
    {
      headers: { 'Authorization': `Bearer ${token}` }
    }
  );

  const assets = await response.json();

  // Render gallery
  return assets.map(asset => {
    if (asset.type === 'image') {
      return `<img src="${asset.url}" alt="${asset.name}" />`;
    }
  });
}

// --- loadCampaignVideos -----------------------------------------------------------------------
async function loadCampaignVideos(campaignId) {
  const response = await fetch(
    `/api/v2/assets?campaignId=${campaignId}&asset_type=video`,
    {
      headers: { 'Authorization': `Bearer ${token}` }
    }
  );

  const assets = await response.json();

  return assets.map(asset => {
    if (asset.type === 'video') {
      return {
        id: asset.id,
        name: asset.name,
        duration: asset.duration,
        thumbnail: asset.thumbnailUrl,
        videoUrl: asset.url
      };
    }
  });
}

// --- Serving: "Include Bearer token in request headers" ---------------------------------------
async function fetchFile(url) {
  const response = await fetch(url, { headers: { 'Authorization': `Bearer ${token}` } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get('content-type'), length: bytes.length };
}

const fileInput = { files: [fileFrom(process.env.LOGO_PATH, 'image/png')] };
const upload = await uploadExample(fileInput);
const logo = await uploadClientLogo(process.env.CLIENT_ID, fileFrom(process.env.LOGO_PATH, 'image/png'));
const video = await uploadCampaignVideo(process.env.CAMPAIGN_ID, fileFrom(process.env.VIDEO_PATH, 'video/mp4'));
const gallery = await loadClientAssets(process.env.CLIENT_ID);
const videos = await loadCampaignVideos(process.env.CAMPAIGN_ID);
const file = await fetchFile(video.url);
const thumbnail = await fetchFile(video.thumbnailUrl);
process.stdout.write(JSON.stringify({
  upload, logo, video, gallery, videos, file, thumbnail, isVideo: isVideoAsset(video), log,
}));
