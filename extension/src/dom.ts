/** An element a page of ours has, by selector: a missing one is a bug in the page */
export function element <T extends HTMLElement = HTMLElement> (selector: string, within: ParentNode = document): T {
  const found = within.querySelector<T>(selector)

  if (found == null) {
    throw new Error(`the page has no ${selector}`)
  }

  return found
}

/** Set the text of the page's `selector` */
export function show (selector: string, text: string): void {
  element(selector).textContent = text
}
