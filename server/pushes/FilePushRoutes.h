#pragma once

namespace breeze::server {

class Router;

// One file to many devices: the file goes to the server once (POST /api/v1/file-blobs, its chunks, then
// .../complete, which checks the whole against its SHA-256), then POST /api/v1/file-pushes names where it
// goes; GET /api/v1/file-pushes/{id} says, device by device, how it went and whether the device's own SHA-256
// of what it wrote matches.
void registerFilePushRoutes(Router& router);

} // namespace breeze::server
