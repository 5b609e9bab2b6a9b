// The `cloudflare:workers` module as workerd provides it. The repository type-checks every
// runtime in one program, so the Workers types come in as a module (no globals clashing with
// Node's) and this file maps the runtime module onto them.
declare module "cloudflare:workers" {
  import { CloudflareWorkersModule } from "@cloudflare/workers-types";
  export import DurableObject = CloudflareWorkersModule.DurableObject;
}
