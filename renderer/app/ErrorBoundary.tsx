import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Names the view in the message, e.g. "SQL". */
  name: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** One per view: a crash in one view shows its message as text and leaves the rest of the app usable. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`The ${this.props.name} view failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="view-crash" role="alert">
        <h2>The {this.props.name} view stopped working</h2>
        <p>It hit an unexpected error; the other views still work. Try again, and report it if it keeps happening.</p>
        <pre className="error-detail">{`${error.name}: ${error.message}`}</pre>
        <button type="button" className="btn" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
