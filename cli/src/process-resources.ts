/** Process-wide resources commands acquire (e.g. the media runtime), released by the composition root. */
export class ProcessResources {
  readonly #releases: (() => Promise<void>)[] = [];

  readonly atExit = (release: () => Promise<void>): void => {
    this.#releases.push(release);
  };

  /** Releases everything, last acquired first; a failing release does not stop the others. */
  async release(): Promise<void> {
    for (const release of this.#releases.splice(0).reverse()) {
      await release().catch(() => undefined);
    }
  }
}
