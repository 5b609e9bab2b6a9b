/**
 * The billing bot: take an account number on the keypad, look it up, confirm, pay, hang up.
 * The "tools" are canned (every account owes $42.00) because the point is the protocol: the
 * function_call / function_call_result frames stream before the reply that uses them.
 */
import type { AgentAction, Bot, CallerMessage } from "./bot.ts";

const BALANCE = 42;
const WANTS_TO_PAY = /\b(pay|bill|payment|balance)\b/i;
const YES = /\b(yes|yeah|yep|sure|ok(ay)?|go ahead|confirm|please do)\b/i;
const NO = /\b(no|nope|don'?t|cancel|stop)\b/i;

type Stage = "start" | "awaiting_account" | "awaiting_confirmation";

export function createBillingBot(): Bot {
  let stage: Stage = "start";
  let account = "";
  let calls = 0;
  const nextCallId = () => `call_${++calls}`;

  function lookUp(digits: string): AgentAction[] {
    // `#` ends keypad entry on a phone; it is not part of the account number.
    account = digits.replace(/#+$/, "");
    stage = "awaiting_confirmation";
    const id = nextCallId();
    return [
      { type: "function_call", id, name: "lookup_account", arguments: { account } },
      { type: "function_call_result", id, name: "lookup_account", result: { balance: BALANCE } },
      {
        type: "reply",
        content: `I found account ${account}. Your balance is $${BALANCE.toFixed(2)}. Shall I confirm the payment?`,
        metadata: { account },
      },
    ];
  }

  function pay(): AgentAction[] {
    const id = nextCallId();
    return [
      { type: "function_call", id, name: "process_payment", arguments: { amount: BALANCE } },
      { type: "function_call_result", id, name: "process_payment", result: { status: "ok" } },
      { type: "metadata", metadata: { payment_status: "paid" } },
      { type: "end_call", content: "Your payment is complete. Goodbye!" },
    ];
  }

  function respond({ text, digits }: CallerMessage): AgentAction[] {
    if (digits !== "" && stage !== "awaiting_confirmation") return lookUp(digits);
    if (stage === "awaiting_confirmation") {
      if (YES.test(text)) return pay();
      if (NO.test(text)) {
        stage = "start";
        return [reply("Okay, I have not made the payment. Is there anything else I can help with?")];
      }
      return [reply(`Please say yes to pay $${BALANCE.toFixed(2)} on account ${account}, or no to cancel.`)];
    }
    if (WANTS_TO_PAY.test(text)) {
      stage = "awaiting_account";
      return [reply("Sure. What is your account number? You can type it on your keypad.")];
    }
    if (stage === "awaiting_account") {
      return [reply("Sorry, I need your account number. Please type it on your keypad.")];
    }
    return [reply("Sorry, I can help you pay a bill. Just say that you want to pay your bill.")];
  }

  return {
    name: "billing",
    greeting: "Hello! I can help you pay your bill. What would you like to do?",
    respond,
  };
}

function reply(content: string): AgentAction {
  return { type: "reply", content };
}
