import { useState } from "preact/hooks";
import { problem } from "../api.ts";

interface Action {
  error: string | null;
  setError: (error: string | null) => void;
  isBusy: boolean;
  /** Runs `work` with the error cleared and the button busy; a failure shows as `error`. */
  run: (work: () => Promise<unknown>) => Promise<void>;
}

/** A request a button starts: busy while it runs, its failure worded for people. */
export function useAction(): Action {
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(problem(failure));
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, isBusy, run };
}
