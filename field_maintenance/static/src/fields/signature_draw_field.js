import { registry } from "@web/core/registry";
import { SignatureField, signatureField } from "@web/views/fields/signature/signature_field";

/**
 * The customer's signature on the technician's phone: the signature dialog
 * opens in Draw mode (not "Auto", which writes a script signature from the typed name),
 * and the mode the signature was finally made in (draw, auto, load) is written to the
 * field named by the `mode_field` option, so that the work type can require a drawn one.
 */
export class DrawSignatureField extends SignatureField {
    static props = {
        ...SignatureField.props,
        mode: { type: String, optional: true },
        modeField: { type: String, optional: true },
    };

    setup() {
        super.setup();
        this.signMode = this.props.mode || "draw";
        const dialog = this.dialogService;
        // the dialog SignatureField opens, with the mode and a listener of its changes
        this.dialogService = {
            ...dialog,
            add: (component, props, options) =>
                dialog.add(
                    component,
                    {
                        ...props,
                        nameAndSignatureProps: {
                            ...props.nameAndSignatureProps,
                            mode: this.props.mode || "draw",
                            onSignatureChange: (mode) => {
                                this.signMode = mode;
                            },
                        },
                    },
                    options
                ),
        };
    }

    onClickSignature() {
        this.signMode = this.props.mode || "draw";
        return super.onClickSignature();
    }

    async uploadSignature(signature) {
        await super.uploadSignature(signature);
        if (this.props.modeField) {
            await this.props.record.update({ [this.props.modeField]: this.signMode });
        }
    }
}

export const drawSignatureField = {
    ...signatureField,
    component: DrawSignatureField,
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...signatureField.extractProps(fieldInfo, dynamicInfo),
        mode: fieldInfo.options.mode || "draw",
        modeField: fieldInfo.options.mode_field,
    }),
};

registry.category("fields").add("fm_signature_draw", drawSignatureField);
