export { type MediaDevServer, startMediaDevServer } from "./media-dev-server.ts";
export { insideMediaNamespace, NETNS_CLIENT_IP, NETNS_SERVER_IP, runInMediaNamespace } from "./netns.ts";
