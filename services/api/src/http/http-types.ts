/** The few members of Express's request and response the api uses (express ships no types of its own). */
export interface HttpRequest {
  method: string;
  originalUrl: string;
  baseUrl: string;
  route?: { path?: string };
  principal?: { username: string };
}

export interface HttpResponse {
  statusCode: number;
  setHeader(name: string, value: string): void;
  on(event: 'finish', listener: () => void): void;
}
