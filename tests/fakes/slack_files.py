"""The Slack fake's file uploads, files_upload_v2's three steps: files.getUploadURLExternal hands out a
URL, the bytes go to that URL (once, exactly as long as announced), files.completeUploadExternal shares
uploaded files in a channel (`file_not_found`, `channel_not_found`). Each step is recorded for tests.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import web

from tests.fakes.slack_contract import error_response

FILE_METHODS = ("files.getUploadURLExternal", "files.completeUploadExternal")


class FileUploads:
    upload_urls: dict[str, dict[str, Any]]  # file id -> getUploadURLExternal's arguments
    uploaded: dict[str, bytes]  # file id -> the bytes received
    shared_files: list[dict[str, Any]]  # completeUploadExternal: files, channel, thread
    channels: dict[str, list[str]]
    _serial: itertools.count[int]

    @property
    def root(self) -> str:
        raise NotImplementedError

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of an upload: the bytes, to the URL step 1 gave, exactly as long as it said."""
        file_id = request.match_info["file_id"]
        body = await request.read()
        asked = self.upload_urls.get(file_id)
        if asked is None or file_id in self.uploaded:
            return web.Response(status=404, text="unknown or used upload URL")
        if len(body) != int(asked["length"]):
            return web.Response(status=400, text=f"expected {asked['length']} bytes, got {len(body)}")
        self.uploaded[file_id] = body
        return web.Response(text=f"OK - {len(body)}")

    def _file_step(self, method: str, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        """The answer to one of FILE_METHODS (steps 1 and 3)."""
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._serial):06d}"
            self.upload_urls[file_id] = dict(args)
            return {"upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}
        files = json.loads(args["files"]) if isinstance(args["files"], str) else args["files"]
        if any(f.get("id") not in self.uploaded for f in files):
            return error_response("file_not_found")
        channel = args.get("channel_id")
        if channel is not None and str(channel).startswith("C") and channel not in self.channels:
            return error_response("channel_not_found")
        self.shared_files.append({"files": files, "channel_id": channel, "thread_ts": args.get("thread_ts")})
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
