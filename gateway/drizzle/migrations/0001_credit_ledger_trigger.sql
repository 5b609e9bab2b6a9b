-- A ledger row and the balance change it records happen in one statement: the debit is a
-- single conditional INSERT (see repositories/credits.ts), and this trigger applies its delta.
-- D1 has no interactive transactions, so this is how the two tables stay in step everywhere.
CREATE TRIGGER `credit_ledger_apply` AFTER INSERT ON `credit_ledger`
BEGIN
  UPDATE `workspace_credits` SET `balance` = `balance` + NEW.`delta` WHERE `workspace_id` = NEW.`workspace_id`;
END;
