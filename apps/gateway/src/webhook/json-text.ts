/** An answer already serialised as JSON: the negotiation interceptor sends its text as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}
