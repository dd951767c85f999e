import { ChangeDetectionStrategy, Component, DestroyRef, Input, type OnChanges, type SimpleChanges, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { type FlowProgress, SmartFlowsClient, type UserInputField, userInputFields } from 'smart-flows-rx';

/**
 * The form an execution waits for (status `UserInput`), rendered from its progress
 * (`schema`, `form`, `model`) and posted with `submitUserInput`.
 */
@Component({
  selector: 'sf-user-input-form',
  imports: [ReactiveFormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="user-input" [formGroup]="group" (ngSubmit)="submit()" [attr.data-execution-id]="executionId">
      <p class="user-input__title">This flow waits for your answer</p>
      @for (field of fields; track field.key) {
        <label class="field" [class.field--check]="field.type === 'boolean'">
          @switch (kind(field)) {
            @case ('checkbox') {
              <input type="checkbox" [name]="field.key" [formControl]="control(field.key)" />
              <span>{{ field.title }}</span>
            }
            @case ('select') {
              <span>{{ field.title }}</span>
              <select [name]="field.key" [formControl]="control(field.key)">
                @for (option of field.enum; track $index) {
                  <option [ngValue]="option">{{ option }}</option>
                }
              </select>
            }
            @default {
              <span>{{ field.title }}</span>
              <input [type]="kind(field)" [name]="field.key" [formControl]="control(field.key)" [required]="field.required" />
            }
          }
          @if (field.description) {
            <small>{{ field.description }}</small>
          }
        </label>
      }
      <button type="submit" [disabled]="sending()">{{ sending() ? 'Sending…' : 'Submit answer' }}</button>
      @if (failure(); as message) {
        <p class="user-input__error" role="alert">{{ message }}</p>
      }
    </form>
  `,
})
export class UserInputFormComponent implements OnChanges {
  private readonly client = inject(SmartFlowsClient);
  private readonly destroyRef = inject(DestroyRef);

  // Decorator inputs rather than signal inputs: TestBed in JIT mode (no Angular compiler
  // plugin under Jest) sees only these.
  @Input({ required: true }) executionId!: string;
  /** The UserInput progress; read when the execution changes, so later polls don't reset what was typed. */
  @Input({ required: true }) progress!: FlowProgress;

  protected fields: UserInputField[] = [];
  protected group = new FormGroup<Record<string, FormControl<unknown>>>({});
  protected readonly sending = signal(false);
  protected readonly failure = signal<string | undefined>(undefined);

  ngOnChanges(changes: SimpleChanges): void {
    if (!changes['executionId']) return;
    this.fields = userInputFields(this.progress);
    this.group = new FormGroup(
      Object.fromEntries(this.fields.map((f) => [f.key, new FormControl<unknown>(f.default ?? (f.type === 'boolean' ? false : ''))])),
    );
    this.sending.set(false);
    this.failure.set(undefined);
  }

  protected control(key: string): FormControl<unknown> {
    return this.group.controls[key]!;
  }

  protected kind(field: UserInputField): 'checkbox' | 'select' | 'number' | 'text' {
    if (field.enum?.length) return 'select';
    if (field.type === 'boolean') return 'checkbox';
    if (field.type === 'number' || field.type === 'integer') return 'number';
    return 'text';
  }

  protected submit(): void {
    this.sending.set(true);
    this.failure.set(undefined);
    this.client
      .submitUserInput(this.executionId, this.group.getRawValue())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        // The row leaves UserInput with the next snapshot and this form goes away.
        error: (error: unknown) => {
          this.sending.set(false);
          this.failure.set(error instanceof Error ? error.message : String(error));
        },
      });
  }
}
