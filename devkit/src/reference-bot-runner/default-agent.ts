// The agent file the reference worker loads unless given another (agents-js runs each job in a
// child process that imports this file): the reference voice bot with its defaults.
import { referenceBotAgent } from "./reference-bot-agent.ts";

export default referenceBotAgent();
